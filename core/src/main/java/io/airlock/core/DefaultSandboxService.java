package io.airlock.core;

import io.airlock.core.egress.EgressAudits;
import io.airlock.core.egress.EgressEvent;
import io.airlock.core.egress.EgressPolicy;
import io.airlock.core.egress.EgressSettings;
import io.airlock.core.egress.NetworkRules;
import io.airlock.core.egress.SandboxEgress;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The service layer: live sandbox registry, request clamping, warm pools and time-to-live reaping. */
final class DefaultSandboxService implements SandboxService {
    private static final Logger log = LoggerFactory.getLogger(DefaultSandboxService.class);
    private static final Duration REAP_INTERVAL = Duration.ofMillis(200);
    /** How long a kill waits for the final workspace commit before answering. */
    private static final Duration FINAL_COMMIT_WAIT = Duration.ofMinutes(2);
    /** tmpfs room beyond the workspace limit, for directory and partial-page overhead. */
    private static final long SCRATCH_SLACK_BYTES = 16L << 20;

    private final Templates templates;
    private final SandboxRuntime runtime;
    private final SandboxPolicy policy;
    private final InstantSource clock;
    private final OwnerCounts owners;
    private final SandboxListener listener;
    private final EgressSettings egress;
    private final @Nullable Workspaces workspaces;
    private final WorkspaceLimits workspaceLimits;
    private final Set<AttachedWorkspace> attached = ConcurrentHashMap.newKeySet();
    private final Map<String, LiveSandbox> live = new ConcurrentHashMap<>();
    private final Map<String, WarmPool> pools = new ConcurrentHashMap<>();
    private volatile @Nullable Thread reaper;
    private volatile boolean closed;

    DefaultSandboxService(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener) {
        this(templates, runtime, policy, clock, quotas, listener, EgressSettings.none(EgressAudits.inMemory()));
    }

    DefaultSandboxService(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener, EgressSettings egress) {
        this(templates, runtime, policy, clock, quotas, listener, egress, null, WorkspaceLimits.standard());
    }

    DefaultSandboxService(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener, EgressSettings egress, @Nullable Workspaces workspaces,
            WorkspaceLimits workspaceLimits) {
        this.workspaces = workspaces;
        this.workspaceLimits = workspaceLimits;
        this.egress = egress;
        this.templates = templates;
        this.runtime = runtime;
        this.policy = policy;
        this.clock = clock;
        this.owners = new OwnerCounts(quotas);
        this.listener = listener;
    }

    @Override
    public int start() {
        int reaped = runtime.recover();
        for (ScratchVolume v : runtime.leftoverScratch()) { // read-write workspaces of reaped sandboxes
            if (workspaces != null) {
                AttachedWorkspace.salvage(workspaces, v);
            } else {
                v.close();
            }
        }
        policy.poolSizes().forEach((name, size) -> templates.find(name).ifPresent(t -> {
            WarmPool pool = new WarmPool(t, policy.defaults(), size, runtime);
            pools.put(name, pool);
            pool.refill();
        }));
        reaper = Thread.ofVirtual().name("ttl-reaper").start(this::reapLoop);
        return reaped;
    }

    @Override
    public Sandbox create(SandboxRequest request) {
        if (closed) {
            throw new SandboxStateException("the service is shutting down; no new sandboxes");
        }
        Template template = templates.find(request.template())
                .orElseThrow(() -> new TemplateNotFoundException(
                        request.template(), templates.list().stream().map(Template::name).toList()));
        Resources resources = request.requestedResources().orElse(policy.defaults()).clampTo(policy.maximum());
        Tier tier = request.tier() != null ? request.tier() : template.recipe().tier();
        Duration ttl = policy.clampTimeout(request.timeout() != null ? request.timeout() : policy.defaultTimeout());

        EgressPolicy egressPolicy = egress.policyFor(request.owner(), request.network());
        // A sandbox whose ceilings or own rules allow nothing gets no network: loopback only, no
        // proxy. A runc sandbox can still get one later (PUT /network); a gVisor one cannot.
        boolean network = egressPolicy.opensAnything();

        WorkspaceRequest wanted = request.workspace();
        if (wanted != null && (workspaces == null || request.owner().isEmpty())) {
            throw new InvalidRequestException("workspace", workspaces == null ? "this server has no workspace store"
                    : "workspaces belong to tenants; this request has no owner");
        }

        owners.reserve(request.owner());
        RuntimeSandbox rs;
        AttachedWorkspace workspace = null;
        SandboxEgress sandboxEgress = null;
        try {
            if (wanted == null) {
                rs = startOrClaim(template, resources, tier, network);
            } else {
                String id = SandboxIds.next();
                workspace = checkOut(id, template, request.owner(), wanted);
                try {
                    BindMount mount = new BindMount(workspace.volume(), mountPoint(template), !wanted.readWrite());
                    rs = runtime.start(new SandboxPlan(id, template, resources, Map.of(), tier, network, List.of(mount)));
                } catch (RuntimeException e) {
                    workspace.discard();
                    attached.remove(workspace);
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            owners.release(request.owner());
            throw e;
        }
        Map<String, String> env = request.env();
        if (network) {
            try {
                sandboxEgress = rs.openEgress(egressPolicy, egress.audit(), egress.limits());
            } catch (RuntimeException e) {
                rs.kill();
                if (workspace != null) {
                    workspace.discard();
                    attached.remove(workspace);
                }
                owners.release(request.owner());
                throw e;
            }
            env = withProxy(env, sandboxEgress.proxyUrl());
        }
        Instant now = clock.instant();
        LiveSandbox sandbox = new LiveSandbox(rs, template, resources, env, request.metadata(), now, now.plus(ttl),
                request.owner());
        synchronized (sandbox) {
            sandbox.egress = sandboxEgress;
            sandbox.network = request.network();
        }
        sandbox.workspace = workspace;
        live.put(rs.id(), sandbox);
        Sandbox created = sandbox.snapshot(now);
        listener.created(created);
        AttachedWorkspace ws = workspace;
        rs.onDeath().thenRun(() -> {
            if (ws != null) {
                ws.end(rs.quiescent()); // commits a read-write checkout, then discards the volume
                attached.remove(ws);
            }
            live.remove(sandbox.runtime.id(), sandbox);
            owners.release(sandbox.owner);
            listener.ended(sandbox.runtime.id(), sandbox.endReason);
        });
        log.atInfo().addKeyValue("sandbox", rs.id()).addKeyValue("template", template.name())
                .addKeyValue("tier", tier.binary()).addKeyValue("ttlSeconds", ttl.toSeconds()).log("sandbox created");
        return created;
    }

    /**
     * Proxy variables for programs that honour them. They change nothing about enforcement (every
     * connection is intercepted anyway) but make such programs name their destination up front.
     */
    private static Map<String, String> withProxy(Map<String, String> env, String proxy) {
        Map<String, String> out = new HashMap<>(env);
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            out.putIfAbsent(k, proxy);
        }
        out.putIfAbsent("NO_PROXY", "localhost,127.0.0.1,::1");
        out.putIfAbsent("no_proxy", "localhost,127.0.0.1,::1");
        return out;
    }

    /**
     * A scratch volume for sandbox {@code id} with the workspace checked out into it, owned by the
     * template's default user. Such sandboxes never come from the warm pool: their mount is part of
     * the OCI bundle.
     */
    private AttachedWorkspace checkOut(String id, Template template, String owner, WorkspaceRequest wanted) {
        Workspaces store = java.util.Objects.requireNonNull(workspaces);
        UserSpec user = defaultUser(template);
        int uid = user == null ? 0 : user.uid();
        ScratchVolume volume = runtime.scratch("ws-" + id, workspaceLimits.maxBytes() + SCRATCH_SLACK_BYTES,
                workspaceLimits.maxEntries() + 1L, uid, uid);
        try {
            var checkout = store.checkout(owner, wanted.name(), wanted.version(), wanted.readWrite(), volume.path(), uid, uid);
            AttachedWorkspace a = new AttachedWorkspace(store, volume, checkout, id);
            attached.add(a);
            return a;
        } catch (RuntimeException e) {
            volume.close();
            throw e;
        }
    }

    /** Where the workspace appears: {@code workspace} in the default user's home ({@code /home/user/workspace}). */
    private static String mountPoint(Template template) {
        UserSpec user = defaultUser(template);
        return (user == null ? "/root" : user.home()) + "/workspace";
    }

    private static @Nullable UserSpec defaultUser(Template template) {
        TemplateRecipe r = template.recipe();
        return r.users().stream().filter(u -> u.name().equals(r.defaultUser())).findFirst().orElse(null);
    }

    private RuntimeSandbox startOrClaim(Template template, Resources resources, Tier tier, boolean network) {
        WarmPool pool = pools.get(template.name());
        // Pooled sandboxes start without a network; runc can get one afterwards, gVisor cannot.
        if (pool != null && pool.serves(resources, tier) && !(network && tier == Tier.RUNSC)) {
            Optional<RuntimeSandbox> warm = pool.claim();
            if (warm.isPresent()) {
                return warm.get();
            }
        }
        return runtime.start(new SandboxPlan(SandboxIds.next(), template, resources, Map.of(), tier, network));
    }

    @Override
    public Sandbox updateNetwork(String id, NetworkRules rules) {
        LiveSandbox s = find(id);
        EgressPolicy next = egress.policyFor(s.owner, rules);
        synchronized (s) {
            if (s.egress != null) {
                s.egress.apply(next);
            } else if (next.opensAnything()) {
                s.egress = s.runtime.openEgress(next, egress.audit(), egress.limits());
            }
            s.network = rules;
        }
        log.atInfo().addKeyValue("sandbox", id).log("network rules replaced");
        return s.snapshot(clock.instant());
    }

    @Override
    public int reapplyEgress(String owner) {
        int n = 0;
        for (LiveSandbox s : live.values()) {
            if (!s.owner.equals(owner)) {
                continue;
            }
            synchronized (s) {
                if (s.egress != null) {
                    s.egress.apply(egress.policyFor(owner, s.network));
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public NetworkRules network(String id) {
        LiveSandbox s = find(id);
        synchronized (s) {
            return s.network;
        }
    }

    @Override
    public List<EgressEvent> egressEvents(String id, int limit) {
        LiveSandbox s = live.get(id);
        if (s != null) {
            SandboxEgress e;
            synchronized (s) {
                e = s.egress;
            }
            if (e != null) {
                try {
                    e.flush();
                } catch (RuntimeException ex) {
                    log.atWarn().addKeyValue("sandbox", id).log("could not collect dropped packets: {}", ex.getMessage());
                }
            }
        }
        return egress.audit().events(id, limit);
    }

    @Override
    public List<EgressEvent> egressAllowed(String id) {
        return egress.audit().allowedConnections(id);
    }

    @Override
    public Sandbox get(String id) {
        return find(id).snapshot(clock.instant());
    }

    @Override
    public List<Sandbox> list() {
        Instant now = clock.instant();
        return live.values().stream()
                .map(s -> s.snapshot(now))
                .sorted(Comparator.comparing(Sandbox::startedAt).thenComparing(Sandbox::id))
                .toList();
    }

    @Override
    public void kill(String id) {
        AttachedWorkspace ws = killOnly(id).workspace;
        if (ws != null) {
            try {
                awaitCommit(id, ws); // so that the next sandbox on this workspace sees what this one wrote
            } catch (RuntimeFailureException e) {
                log.atWarn().addKeyValue("sandbox", id).log("{}", e.getMessage()); // killed all the same
            }
        }
    }

    private LiveSandbox killOnly(String id) {
        LiveSandbox s = live.remove(id);
        if (s == null) {
            throw new SandboxNotFoundException(id);
        }
        s.endReason = "killed";
        s.runtime.kill();
        log.atInfo().addKeyValue("sandbox", id).log("sandbox killed");
        return s;
    }

    @Override
    public Optional<CommitResult> killAndCommit(String id) {
        AttachedWorkspace ws = killOnly(id).workspace;
        if (ws == null || !ws.checkout().readWrite()) {
            return Optional.empty();
        }
        return Optional.of(awaitCommit(id, ws));
    }

    private static CommitResult awaitCommit(String id, AttachedWorkspace ws) {
        try {
            return ws.ended().get(FINAL_COMMIT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxStateException("interrupted while sandbox " + id + "'s workspace was being committed");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.airlock.core.workspace.WorkspaceLimitException limit) {
                throw new io.airlock.core.workspace.WorkspaceLimitException("sandbox " + id
                        + " was killed, but its workspace was not committed: " + limit.getMessage());
            }
            throw new RuntimeFailureException("sandbox " + id + " was killed, but its workspace could not be committed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RuntimeFailureException("sandbox " + id + " was killed; its workspace commit is still running after "
                    + FINAL_COMMIT_WAIT.toSeconds() + " s and will finish in the background");
        }
    }

    @Override
    public CommitResult syncWorkspace(String id) {
        LiveSandbox s = find(id);
        AttachedWorkspace ws = s.workspace;
        if (ws == null) {
            throw new SandboxStateException("sandbox " + id + " has no workspace; create it with one to sync");
        }
        synchronized (s) { // holds off pause and resume: the freeze below is ours alone
            boolean wasPaused = s.paused();
            return ws.sync(() -> {
                if (!wasPaused) {
                    s.runtime.pause();
                }
            }, () -> {
                if (!wasPaused) {
                    s.runtime.resume();
                }
            });
        }
    }

    @Override
    public Optional<Checkout> workspace(String id) {
        AttachedWorkspace ws = find(id).workspace;
        return ws == null ? Optional.empty() : Optional.of(ws.checkout());
    }

    @Override
    public Sandbox setTimeout(String id, Duration timeout) {
        LiveSandbox s = find(id);
        Instant now = clock.instant();
        s.deadline(now.plus(policy.clampTimeout(timeout)), now);
        return s.snapshot(now);
    }

    @Override
    public Sandbox pause(String id) {
        LiveSandbox s = find(id);
        Instant now = clock.instant();
        s.pause(now);
        return s.snapshot(now);
    }

    @Override
    public Sandbox resume(String id, @Nullable Duration timeout) {
        LiveSandbox s = find(id);
        Instant now = clock.instant();
        s.resume(now, timeout == null ? null : policy.clampTimeout(timeout));
        return s.snapshot(now);
    }

    @Override
    public SandboxProcess spawn(String id, ProcessSpec spec) {
        LiveSandbox s = find(id);
        if (s.paused()) {
            throw new SandboxStateException("sandbox " + id + " is paused; resume it before starting processes");
        }
        TemplateRecipe recipe = s.template.recipe();
        Map<String, String> env = new HashMap<>(recipe.env());
        env.putAll(s.env);
        env.putAll(s.secrets.env());
        env.putAll(spec.env());
        String user = spec.user().isEmpty() ? recipe.defaultUser() : spec.user();
        String cwd = spec.cwd().isEmpty() ? recipe.workdir() : spec.cwd();
        return s.runtime.spawn(new ProcessSpec(spec.args(), env, cwd, user, spec.stdin(), spec.pty(), spec.tag()));
    }

    @Override
    public void grantSecrets(String id, io.airlock.core.secrets.SecretValues values) {
        LiveSandbox s = find(id);
        synchronized (s) {
            s.secrets = s.secrets.plus(values);
        }
    }

    @Override
    public Optional<SandboxProcess> process(String id, int pid) {
        return find(id).runtime.process(pid);
    }

    @Override
    public Collection<SandboxProcess> processes(String id) {
        return find(id).runtime.processes();
    }

    @Override
    public SandboxFiles files(String id) {
        return find(id).runtime.files();
    }

    @Override
    public Map<String, String> environment(String id) {
        LiveSandbox s = find(id);
        Map<String, String> env = new HashMap<>(s.template.recipe().env());
        env.putAll(s.env);
        return Map.copyOf(env);
    }

    @Override
    public String defaultUser(String id) {
        return find(id).template.recipe().defaultUser();
    }

    @Override
    public SandboxStats stats(String id) {
        return find(id).runtime.stats();
    }

    /** Kills every sandbox whose time to live has passed. Called by the reaper loop; tests call it with a fake clock. */
    int reapExpired() {
        Instant now = clock.instant();
        int reaped = 0;
        for (LiveSandbox s : live.values()) {
            if (s.expired(now) && live.remove(s.runtime.id(), s)) {
                s.endReason = "expired";
                log.atInfo().addKeyValue("sandbox", s.runtime.id()).log("time to live reached; killing");
                Thread.ofVirtual().start(s.runtime::kill);
                reaped++;
            }
        }
        return reaped;
    }

    /** The warm pool of a template, for tests. */
    Optional<WarmPool> pool(String template) {
        return Optional.ofNullable(pools.get(template));
    }

    private void reapLoop() {
        while (!closed) {
            try {
                reapExpired();
                Thread.sleep(REAP_INTERVAL);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.atError().setCause(e).log("reaper iteration failed");
            }
        }
    }

    private LiveSandbox find(String id) {
        LiveSandbox s = SandboxIds.wellFormed(id) ? live.get(id) : null;
        if (s == null) {
            throw new SandboxNotFoundException(id);
        }
        return s;
    }

    @Override
    public void close() {
        closed = true;
        Thread r = reaper;
        if (r != null) {
            r.interrupt();
        }
        pools.values().forEach(WarmPool::close);
        List<Thread> killers = live.values().stream()
                .peek(s -> s.endReason = "server shutdown")
                .map(s -> Thread.ofVirtual().start(s.runtime::kill))
                .toList();
        live.clear();
        for (Thread t : killers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Sandboxes that died just before (reaped, crashed) may still be committing: let them finish.
        for (AttachedWorkspace ws : List.copyOf(attached)) {
            try {
                ws.ended().get(FINAL_COMMIT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.atWarn().log("a workspace commit did not finish at shutdown: {}", e.toString());
            }
        }
    }
}
