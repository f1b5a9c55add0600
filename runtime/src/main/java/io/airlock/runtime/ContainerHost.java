package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxPlan;
import io.airlock.core.Tier;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates sandbox containers on this host and reaps what earlier server processes left behind.
 *
 * <h2>Creating</h2>
 * {@link #create(SandboxPlan)} writes the durable marker first, then builds the disk (sparse copy
 * of a golden ext4 image, loop device, mount), the overlay root, the bundle and the agent's FIFOs,
 * and starts the container with the tier's runtime. If any step fails, everything made so far is
 * torn down before the exception propagates.
 *
 * <h2>Recovering: reap, not re-adopt</h2>
 * A sandbox's whole conversation with its agent runs over two FIFOs whose host ends live in the
 * server process. When that process dies, the FIFO ends close, the agent reads end-of-file on its
 * stdin, and any frames in flight are lost; a new server cannot reopen the conversation at a frame
 * boundary, and has lost the processes, output and file transfers the old one was tracking anyway.
 * So after a restart nothing is re-adopted: {@link #reapAll()} tears down every sandbox an earlier
 * incarnation created (users see their sandboxes as terminated by the restart) and then sweeps for
 * anything that escaped the markers (runtime state, mounts, loop devices, cgroups). The sandbox
 * processes never depended on the JVM staying alive (they are in their own cgroups and PID
 * namespaces, not children of the server), so a crashed server leaves them running until this
 * reap; only the cgroup kill sequence ends them.
 *
 * <p>Thread-safe; creations run concurrently.
 */
final class ContainerHost {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerHost.class);
    static final int CAP_SYS_RESOURCE = 24;

    private final ContainerConfig config;
    private final String incarnation;
    private final InstantSource clock;
    private final Path cgroupRoot;
    private final DiskImages disks;
    private final BundleWriter bundles;
    private final ContainerTeardown teardown;
    private final Map<Tier, RuncCli> runtimes = new EnumMap<>(Tier.class);
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    /**
     * @param config directories and binaries
     * @param incarnation a unique id of this server process, recorded in every marker
     * @param clock the source of marker timestamps
     */
    ContainerHost(ContainerConfig config, String incarnation, InstantSource clock) {
        this(config, incarnation, clock, CgroupHierarchies.ROOT);
    }

    ContainerHost(ContainerConfig config, String incarnation, InstantSource clock, Path cgroupRoot) {
        this.config = config;
        this.incarnation = incarnation;
        this.clock = clock;
        this.cgroupRoot = cgroupRoot;
        this.disks = new DiskImages(config.home().resolve("disks"));
        boolean canLowerOomScore = hasCapability(CAP_SYS_RESOURCE);
        if (!canLowerOomScore) {
            LOG.warn("the server lacks CAP_SYS_RESOURCE: sandbox inits run without oomScoreAdj {}", BundleWriter.INIT_OOM_SCORE_ADJ);
        }
        this.bundles = new BundleWriter(config.agentBinary(), canLowerOomScore);
        this.teardown = new ContainerTeardown(cgroupRoot);
        runtimes.put(Tier.RUNC, new RuncCli(Tier.RUNC, config.runc(), config.stateRoot().resolve("runc"), false));
        runtimes.put(Tier.RUNSC, new RuncCli(Tier.RUNSC, config.runsc(), config.stateRoot().resolve("runsc"), config.runscDebugLogs()));
    }

    ContainerConfig config() {
        return config;
    }

    String incarnation() {
        return incarnation;
    }

    /** The layout of sandbox {@code id} on this host. */
    ContainerLayout layout(String id) {
        return new ContainerLayout(config.home(), config.stateRoot(), config.cgroupParent(), id);
    }

    /**
     * Creates and starts the container for {@code plan}; returns once the runtime reports the
     * agent started (not that it is ready: that is the agent's first frame).
     *
     * @throws RuntimeFailureException naming the failed step; everything made so far is released
     */
    Container create(SandboxPlan plan) {
        long start = System.nanoTime();
        ContainerLayout layout = layout(plan.id());
        // Claimed before the marker exists, so a concurrent reapAll() never takes a half-made sandbox for a leftover.
        if (!live.add(plan.id())) {
            throw new RuntimeFailureException("sandbox " + plan.id() + " is already being created or running on this host");
        }
        try {
            new ContainerMarker(plan.id(), plan.tier(), incarnation, clock.instant(), ProcessHandle.current().pid()).write(layout.marker());
        } catch (RuntimeException e) {
            live.remove(plan.id());
            throw e;
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            mountDisk(layout, plan.resources().diskBytes());
            long t1 = System.nanoTime();
            mountRoot(layout, plan.template().rootfs());
            long t2 = System.nanoTime();
            bundles.write(layout, plan, incarnation);
            ContainerSyscalls.mkfifo(layout.toAgent(), 0600);
            ContainerSyscalls.mkfifo(layout.fromAgent(), 0600);
            // O_RDWR on a FIFO never blocks; holding both ends lets the O_RDONLY/O_WRONLY opens of the
            // runtime's redirects (done by the JVM before exec) succeed without waiting for a peer.
            FileChannel toAgentRdwr = open(opened, FileChannel.open(layout.toAgent(), StandardOpenOption.READ, StandardOpenOption.WRITE));
            FileChannel fromAgentRdwr = open(opened, FileChannel.open(layout.fromAgent(), StandardOpenOption.READ, StandardOpenOption.WRITE));
            long t3 = System.nanoTime();
            runtime(plan.tier()).run(layout, plan.egress());
            long t4 = System.nanoTime();
            // Reopen single-direction ends, then drop the read-write ones: from now on the agent is
            // the only writer of from-agent (EOF when it dies) and the only reader of to-agent (EPIPE).
            InputStream fromAgent = open(opened, new FileInputStream(layout.fromAgent().toFile()));
            OutputStream toAgent = open(opened, AgentFifo.open(layout.toAgent()));
            fromAgentRdwr.close();
            toAgentRdwr.close();
            ContainerTimings timings = new ContainerTimings(
                    Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2), Duration.ofNanos(t4 - t3),
                    Duration.ofNanos(System.nanoTime() - start));
            return new Container(
                    layout, plan.tier(), new CgroupV1(cgroupRoot, layout.cgroupsPath()), fromAgent, toAgent, timings, this::destroy);
        } catch (IOException | RuntimeException e) {
            opened.forEach(ContainerHost::closeQuietly);
            RuntimeFailureException failure = e instanceof RuntimeFailureException r
                    ? r
                    : new RuntimeFailureException("cannot create sandbox " + plan.id() + ": " + e, e);
            List<String> leftovers = destroy(layout, plan.tier());
            if (!leftovers.isEmpty()) {
                failure.addSuppressed(new RuntimeFailureException("cleanup after the failed create left: " + leftovers));
            }
            throw failure;
        }
    }

    /** Sparse copy of the golden image, a loop device (autoclear) and an ext4 mount at {@code disk/}. */
    private void mountDisk(ContainerLayout layout, long diskBytes) throws IOException {
        disks.create(layout.image(), diskBytes);
        Files.createDirectory(layout.disk());
        try (LoopDevices.Attached loop = LoopDevices.attach(layout.image())) {
            Mounts.mountExt4(loop.device(), layout.disk());
        }
    }

    /** The private state and bundle directories, and the overlay root at {@code bundle/rootfs}. */
    private static void mountRoot(ContainerLayout layout, Path templateRootfs) throws IOException {
        var privateDir = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(layout.stateDir().getParent());
        Files.createDirectory(layout.stateDir(), privateDir);
        Files.createDirectory(layout.bundle(), privateDir);
        Files.createDirectory(layout.rootfs());
        Mounts.mountOverlay(templateRootfs, layout.upper(), layout.work(), layout.rootfs());
    }

    private static <T extends AutoCloseable> T open(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private List<String> destroy(ContainerLayout layout, Tier tier) {
        List<String> failures = teardown.run(layout, List.of(runtime(tier)));
        if (failures.isEmpty()) {
            live.remove(layout.id());
        }
        return failures;
    }

    private RuncCli runtime(Tier tier) {
        return runtimes.get(tier);
    }

    /**
     * Reaps every sandbox not created by this {@code ContainerHost} (an earlier incarnation's), then
     * sweeps leftovers that no marker accounts for. Containers this host created and has not
     * destroyed are left alone, so calling it at any time is safe; call it at start-up.
     *
     * <ol>
     *   <li>every directory under {@code $AIRLOCK_HOME/sandboxes}: full teardown (tier from its
     *       marker; without a readable marker, both runtimes are asked to delete it);
     *   <li>containers in {@code runc list} / {@code runsc list} of our state roots;
     *   <li>cgroups under {@code <cgroupParent>} in every hierarchy;
     *   <li>state directories, mounts under the home and state root (deepest first) and loop
     *       devices backed by files under the home.
     * </ol>
     *
     * @return how many distinct sandboxes were reaped
     * @throws RuntimeFailureException if something could not be reaped (after trying everything)
     */
    int reapAll() {
        Set<String> reaped = new LinkedHashSet<>();
        List<String> failures = new ArrayList<>();
        for (String id : childNames(ContainerLayout.sandboxesDir(config.home()))) {
            if (!live.contains(id)) {
                Collection<RuncCli> candidates = runtimes.values();
                try {
                    Optional<ContainerMarker> marker = ContainerMarker.read(layout(id).marker());
                    if (marker.isPresent()) {
                        candidates = List.of(runtime(marker.get().tier()));
                        LOG.info("reaping sandbox {} ({}) of incarnation {}, created {}", id, marker.get().tier().binary(),
                                marker.get().incarnation(), marker.get().createdAt());
                    }
                } catch (RuntimeFailureException e) {
                    LOG.warn("reaping sandbox {} without its marker: {}", id, e.getMessage());
                }
                reap(id, candidates, reaped, failures);
            }
        }
        for (RuncCli runtime : runtimes.values()) {
            for (String id : safely(runtime::list, failures)) {
                if (!live.contains(id) && !reaped.contains(id)) {
                    reap(id, List.of(runtime), reaped, failures);
                }
            }
        }
        for (String id : safely(() -> List.copyOf(CgroupHierarchies.children(cgroupRoot, config.cgroupParent())), failures)) {
            if (!live.contains(id) && !reaped.contains(id)) {
                reap(id, runtimes.values(), reaped, failures);
            }
        }
        for (String id : childNames(ContainerLayout.stateDirs(config.stateRoot()))) {
            if (!live.contains(id) && !reaped.contains(id)) {
                reap(id, runtimes.values(), reaped, failures);
            }
        }
        sweepMounts(failures);
        sweepLoops(failures);
        if (!failures.isEmpty()) {
            throw new RuntimeFailureException("reaped " + reaped.size() + " sandboxes, but: " + String.join("; ", failures));
        }
        return reaped.size();
    }

    private void reap(String id, Collection<RuncCli> candidates, Set<String> reaped, List<String> failures) {
        if (!ContainerLayout.validId(id)) {
            failures.add("'" + id + "' is not a sandbox id; left alone");
            return;
        }
        List<String> failed = teardown.run(layout(id), candidates);
        reaped.add(id);
        failed.forEach(f -> failures.add("sandbox " + id + ": " + f));
    }

    private void sweepMounts(List<String> failures) {
        for (Path root : List.of(config.stateRoot(), config.home())) {
            for (Path mountPoint : Mounts.under(root)) {
                // Scratch volumes are ScratchVolumes' to sweep: a labelled one still holds a workspace to salvage.
                if (!ownedByLive(mountPoint) && !mountPoint.startsWith(config.stateRoot().resolve("volumes"))) {
                    LOG.warn("unmounting leftover mount {}", mountPoint);
                    try {
                        Mounts.unmount(mountPoint);
                    } catch (RuntimeException e) {
                        failures.add("unmount " + mountPoint + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void sweepLoops(List<String> failures) {
        for (LoopDevices.Binding b : safely(() -> LoopDevices.backedBy(config.home()), failures)) {
            if (!ownedByLive(b.backingFile())) {
                LOG.warn("detaching leftover loop device {} of {}", b.device(), b.backingFile());
                try {
                    LoopDevices.detach(b.device());
                } catch (RuntimeException e) {
                    failures.add("detach " + b.device() + ": " + e.getMessage());
                }
            }
        }
    }

    private boolean ownedByLive(Path path) {
        return live.stream().map(this::layout).anyMatch(l -> path.startsWith(l.sandboxDir()) || path.startsWith(l.stateDir()));
    }

    private static <T> List<T> safely(Supplier<List<T>> list, List<String> failures) {
        try {
            return list.get();
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
            return List.of();
        }
    }

    private static List<String> childNames(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            children.forEach(c -> names.add(c.getFileName().toString()));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list " + dir + ": " + e, e);
        }
        return names;
    }

    /** Whether this process's effective capability set has {@code capability}, per /proc/self/status. */
    static boolean hasCapability(int capability) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).strip(), 16))
                    .anyMatch(caps -> (caps & (1L << capability)) != 0);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read /proc/self/status: " + e, e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to recover: the fd is gone either way
        }
    }
}
