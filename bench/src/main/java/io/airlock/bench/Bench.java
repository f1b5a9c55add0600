package io.airlock.bench;

import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Template;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import io.airlock.runtime.OciRuntime;
import io.airlock.runtime.TemplateCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./airlock bench}: sandbox latency and density, each figure beside a baseline measured in
 * the same run on the same machine. Not a test: it asserts nothing, it reports.
 */
public final class Bench {
    private final Path home;
    private final Path state;
    private final Path agent;
    private final Templates templates;
    private final Template base;
    private Report report;
    private final int n;

    private Bench(int n) {
        this.n = n;
        this.home = Path.of(System.getenv().getOrDefault("AIRLOCK_HOME", System.getProperty("user.home") + "/.airlock"));
        this.state = Path.of(System.getenv().getOrDefault("AIRLOCK_STATE", "/run/airlock-bench"));
        this.agent = Path.of(System.getProperty("airlock.agent", "agent/target/airlock-init"));
        this.templates = TemplateCatalog.open(home.resolve("templates"), Clock.systemUTC());
        this.base = templates.find("base").orElseThrow(() -> new IllegalStateException("template 'base' is not built; run ./airlock templates"));
    }

    /** {@code [samples] [runtime|egress|sdk ...]}: 50 samples and every part by default. */
    public static void main(String[] args) throws Exception {
        int n = 50;
        java.util.Set<String> parts = new java.util.HashSet<>();
        for (String a : args) {
            if (a.matches("\\d+")) {
                n = Integer.parseInt(a);
            } else if (List.of("runtime", "egress", "sdk", "workspace").contains(a)) {
                parts.add(a);
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "': give a sample count and/or runtime, egress, sdk, workspace");
            }
        }
        if (parts.isEmpty()) {
            parts.addAll(List.of("runtime", "egress", "sdk", "workspace"));
        }
        Bench bench = new Bench(n);
        if (parts.contains("runtime")) {
            bench.run();
        }
        if (parts.contains("egress")) {
            bench.egress();
        }
        if (parts.contains("sdk")) {
            SdkBench.run(n);
        }
        if (parts.contains("workspace")) {
            bench.workspace();
        }
    }

    private void workspace() throws Exception {
        System.out.printf("%nworkspaces%n");
        new WorkspaceBench(n, home.resolve("templates"), agent, new Report(System.out)).run();
    }

    private void run() throws Exception {
        report = new Report(System.out);
        Path work = Files.createTempDirectory("airlock-bench");
        System.out.printf("airlock bench: %d samples per figure, %d cores, template base %s%n%n",
                n, Runtime.getRuntime().availableProcessors(), base.hash().substring(0, 12));
        RawRuntime rawRunc = new RawRuntime("runc", List.of(), work.resolve("runc"), base.rootfs());
        RawRuntime rawRunsc = new RawRuntime("runsc", List.of("--platform=ptrace", "--network=none"), work.resolve("runsc"), base.rootfs());

        Samples rawRun = repeat(n, rawRunc::runEcho);
        Samples rawRunscRun = repeat(Math.max(5, n / 5), rawRunsc::runEcho);
        String sleeper = rawRunc.startSleeper();
        Samples rawExec = repeat(n, () -> rawRunc.execTrue(sleeper));
        rawRunc.delete(sleeper);

        try (SandboxRuntime coldRuntime = runtime(); SandboxService cold = service(coldRuntime, Map.of())) {
            report.latency("cold create -> first output (runc)", repeat(n, () -> createAndEcho(cold, Tier.RUNC)),
                    "raw runc run (echo ok)", rawRun, "p50 <= 30 ms and <= 1.6x");
            report.latency("cold create -> first output (runsc)", repeat(Math.max(5, n / 5), () -> createAndEcho(cold, Tier.RUNSC)),
                    "raw runsc run (echo ok)", rawRunscRun, "-");
            String id = cold.create(SandboxRequest.of("base")).id();
            report.latency("exec true in a running sandbox", repeat(n * 2, () -> execTrue(cold, id)),
                    "raw runc exec true", rawExec, "p50 <= 1.3x");
            cold.kill(id);
            idleMemory(cold);
            density(cold);
        }
        try (SandboxRuntime warmRuntime = runtime(); SandboxService warm = service(warmRuntime, Map.of("base", 2))) {
            Samples s = new Samples();
            for (int i = 0; i < n; i++) {
                awaitPool(warm);
                s.add(createAndEcho(warm, Tier.RUNC));
            }
            report.latency("warm (pooled) create -> first output", s, "raw runc run (echo ok)", rawRun, "p50 <= 10 ms");
        }
    }

    private void egress() throws Exception {
        System.out.printf("%nairlock bench, egress%n%n");
        new EgressBench(n, home, agent, templates, new Report(System.out)).run();
    }

    private SandboxRuntime runtime() {
        return OciRuntime.create(home, state, agent);
    }

    private SandboxService service(SandboxRuntime runtime, Map<String, Integer> pools) {
        SandboxService s = SandboxService.create(templates, runtime, SandboxPolicy.standard().withPoolSizes(pools), Clock.systemUTC());
        s.start();
        return s;
    }

    private static void awaitPool(SandboxService s) throws InterruptedException {
        // The pool refills in the background (~70 ms); one create per second measures warm creates.
        Thread.sleep(1000);
    }

    /** Creates a sandbox, runs {@code echo ok}, waits for the first output; kill is not timed. */
    private long createAndEcho(SandboxService s, Tier tier) throws Exception {
        long t0 = System.nanoTime();
        String id = s.create(SandboxRequest.of("base").withTier(tier)).id();
        SandboxProcess p = s.spawn(id, new ProcessSpec(List.of("echo", "ok"), Map.of(), "", "", false, null, ""));
        firstOutput(p);
        long t = System.nanoTime() - t0;
        s.kill(id);
        return t;
    }

    private static long execTrue(SandboxService s, String id) throws Exception {
        long t0 = System.nanoTime();
        SandboxProcess p = s.spawn(id, new ProcessSpec(List.of("true"), Map.of(), "", "", false, null, ""));
        p.exit().get(10, TimeUnit.SECONDS);
        return System.nanoTime() - t0;
    }

    private static void firstOutput(SandboxProcess p) throws Exception {
        try (ProcessOutput out = p.attach()) {
            while (true) {
                OutputChunk c = out.next(Duration.ofSeconds(10)).orElseThrow(() -> new IllegalStateException("no output within 10 s"));
                if (c.kind() == OutputChunk.Kind.END || c.data().length > 0) {
                    return;
                }
            }
        }
    }

    private void idleMemory(SandboxService s) throws Exception {
        int count = 50;
        dropCaches();
        long before = memAvailable();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(s.create(SandboxRequest.of("base")).id());
        }
        Thread.sleep(1000);
        long cgroupTotal = ids.stream().mapToLong(id -> s.stats(id).memoryBytes()).sum();
        dropCaches();
        long after = memAvailable();
        double hostPer = (before - after) / (double) count / (1024 * 1024);
        double cgroupPer = cgroupTotal / (double) count / (1024 * 1024);
        report.value("host memory per idle sandbox (" + count + " running)",
                String.format("%.2f MiB host, %.2f MiB cgroup", hostPer, cgroupPer), "<= 4 MB");
        ids.forEach(s::kill);
    }

    /** Drops clean page cache so MemAvailable differences show memory the sandboxes hold. */
    private static void dropCaches() throws Exception {
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
        Thread.sleep(200);
    }

    private void density(SandboxService s) throws Exception {
        int target = 200;
        List<String> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        String failure = "";
        try {
            for (int i = 0; i < target; i++) {
                ids.add(s.create(SandboxRequest.of("base")).id());
            }
            for (String id : ids) {
                execTrue(s, id);
            }
        } catch (RuntimeException e) {
            failure = " (stopped: " + e.getMessage() + ")";
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        report.value("concurrent idle sandboxes, each answering exec", ids.size() + " in " + String.format("%.1f s", secs) + failure, ">= 200");
        ids.forEach(id -> {
            try {
                s.kill(id);
            } catch (RuntimeException ignored) {
                // already gone
            }
        });
    }

    private static long memAvailable() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no MemAvailable in /proc/meminfo");
    }

    private static Samples repeat(int times, Measure m) throws Exception {
        Samples s = new Samples();
        for (int i = 0; i < times; i++) {
            s.add(m.nanos());
        }
        return s;
    }

    @FunctionalInterface
    private interface Measure {
        long nanos() throws Exception;
    }
}
