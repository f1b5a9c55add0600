package io.airlock.runtime;

import io.airlock.runtime.egress.DnsClient;
import io.airlock.runtime.egress.EgressProxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.RuntimeSandbox;
import io.airlock.core.ScratchVolume;
import io.airlock.core.SandboxPlan;
import io.airlock.core.SandboxRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI implementation of {@link SandboxRuntime}: each sandbox is a container started by runc
 * or runsc from the same bundle, with {@code airlock-init} as PID 1, driven over its stdio.
 *
 * <p>One instance owns one state root; its cgroups live under a parent named after that state
 * root ({@code /run/airlock} → {@code airlock}), so two servers (or a server and a test suite)
 * with different state roots never reap each other's sandboxes.
 */
public final class OciRuntime implements SandboxRuntime {
    private static final Logger log = LoggerFactory.getLogger(OciRuntime.class);
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(2);

    private final ContainerHost host;
    private final RuntimeClaim claim;
    private final EgressProxy.Upstream resolver;
    private final Map<String, OciSandbox> live = new ConcurrentHashMap<>();

    private final ScratchVolumes volumes;

    private OciRuntime(ContainerHost host, RuntimeClaim claim, EgressProxy.Upstream resolver) {
        this.host = host;
        this.claim = claim;
        this.resolver = resolver;
        this.volumes = new ScratchVolumes(host.config().stateRoot());
    }

    /**
     * A runtime keeping markers and disks under {@code home}, volatile state under {@code stateRoot},
     * and running {@code agent} as every sandbox's init.
     *
     * @throws RuntimeFailureException if the agent binary is missing, or another runtime (in this
     *     process or another) has the home or the state root
     */
    public static SandboxRuntime create(Path home, Path stateRoot, Path agent) {
        return create(home, stateRoot, agent, null);
    }

    /**
     * As {@link #create(Path, Path, Path)}, with the DNS server Airlock resolves sandboxes' names
     * through; null means the first {@code nameserver} of the host's {@code /etc/resolv.conf}.
     */
    public static SandboxRuntime create(Path home, Path stateRoot, Path agent, @Nullable InetSocketAddress dns) {
        EgressProxy.Upstream resolver = dns != null
                ? new DnsClient(dns, DNS_TIMEOUT)::resolveA
                : name -> new DnsClient(DnsClient.systemResolver(), DNS_TIMEOUT).resolveA(name);
        ContainerConfig config = config(home, stateRoot, agent);
        RuntimeClaim claim = RuntimeClaim.take(config.home(), config.stateRoot());
        try {
            return new OciRuntime(new ContainerHost(config, UUID.randomUUID().toString(), Clock.systemUTC()), claim, resolver);
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    /** The container configuration {@link #create} uses. */
    static ContainerConfig config(Path home, Path stateRoot, Path agent) {
        Path absAgent = agent.toAbsolutePath().normalize();
        if (!Files.isExecutable(absAgent)) {
            throw new RuntimeFailureException("the sandbox init binary " + absAgent + " is missing or not executable; build it with ./airlock build");
        }
        Path absState = stateRoot.toAbsolutePath().normalize();
        return ContainerConfig.defaults(home.toAbsolutePath().normalize(), absAgent)
                .withStateRoot(absState)
                .withCgroupParent(cgroupParent(absState));
    }

    /** {@code airlock…} state-root names are used as they are; anything else gets a hash. */
    static String cgroupParent(Path stateRoot) {
        String name = stateRoot.getFileName() == null ? "" : stateRoot.getFileName().toString();
        if (name.matches("airlock[a-z0-9-]{0,40}")) {
            return name;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(stateRoot.toString().getBytes(StandardCharsets.UTF_8));
            return "airlock-" + HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public RuntimeSandbox start(SandboxPlan plan) {
        Container container = host.create(plan);
        try {
            AgentConnection agent = AgentConnection.open(plan.id(), container.fromAgent(), container.toAgent(),
                    AgentSettings.defaults().withBaseEnv(plan.env()).withOomKills(container::oomKills));
            OciSandbox sandbox = new OciSandbox(container, agent, plan.egress(), resolver, () -> live.remove(plan.id()));
            live.put(plan.id(), sandbox);
            return sandbox;
        } catch (RuntimeException e) {
            try {
                container.destroy();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public int recover() {
        int reaped = host.reapAll();
        int volumesLeft = volumes.sweep();
        if (volumesLeft > 0) {
            log.warn("removed {} scratch volumes an earlier server left mounted", volumesLeft);
        }
        return reaped;
    }

    @Override
    public ScratchVolume scratch(String name, long bytes, long inodes, int uid, int gid) {
        return volumes.create(name, bytes, inodes, uid, gid);
    }

    @Override
    public List<ScratchVolume> leftoverScratch() {
        return volumes.leftovers();
    }

    @Override
    public void close() {
        try {
            List<OciSandbox> all = List.copyOf(live.values());
            List<Thread> killers = all.stream().map(s -> Thread.ofVirtual().start(s::kill)).toList();
            for (Thread t : killers) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.warn("interrupted while killing {} sandboxes at shutdown", all.size());
                    return;
                }
            }
            removeEmptyCgroupParents();
            removeEmptyStateRoot();
        } finally {
            claim.close();
        }
    }

    /** Removes the state root and its subdirectories where nothing is left in them (only empty ones). */
    private void removeEmptyStateRoot() {
        Path root = host.config().stateRoot();
        try (var entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                deleteEmptyTree(p);
            }
            Files.deleteIfExists(root);
        } catch (java.io.IOException e) {
            log.debug("state root {} kept: {}", root, e.toString());
        }
    }

    private static void deleteEmptyTree(Path dir) throws java.io.IOException {
        if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(dir)) {
                for (Path p : entries.toList()) {
                    deleteEmptyTree(p);
                }
            }
            Files.deleteIfExists(dir); // fails with DirectoryNotEmptyException if anything real is left
        }
    }

    /** Removes this runtime's cgroup parent in every hierarchy, where no sandbox is left in it. */
    private void removeEmptyCgroupParents() {
        for (Path hierarchy : CgroupHierarchies.list(CgroupHierarchies.ROOT)) {
            try {
                Files.deleteIfExists(hierarchy.resolve(host.config().cgroupParent()));
            } catch (java.io.IOException e) {
                log.debug("cgroup parent {} kept: {}", hierarchy.resolve(host.config().cgroupParent()), e.toString());
            }
        }
    }
}
