package io.airlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.CommandRunner;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.core.egress.BlockedAddresses;
import io.airlock.core.egress.EgressAudits;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressRules;
import io.airlock.core.egress.EgressSettings;
import io.airlock.core.egress.NetworkRules;
import io.airlock.core.SandboxQuotas;
import io.airlock.core.SandboxListener;
import io.airlock.runtime.OciRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The egress part of {@code ./airlock bench}: what Airlock's proxy costs a sandbox's HTTP, beside
 * the same client on the host talking to the same server directly. The "internet" is a network
 * namespace this bench makes (203.0.113.10, a python HTTP server), joined to the host by a veth
 * pair; the operator ceiling is its /24, so the proxy judges by address and resolves nothing.
 */
final class EgressBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVER = "203.0.113.10";
    private static final int BULK_MIB = 64;

    private final int n;
    private final Path home;
    private final Path agent;
    private final Templates templates;
    private final Report report;

    EgressBench(int n, Path home, Path agent, Templates templates, Report report) {
        this.n = n;
        this.home = home;
        this.agent = agent;
        this.templates = templates;
        this.report = report;
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory("airlock-egress-bench");
        Path client = work.resolve("http_client.py");
        try (InputStream in = EgressBench.class.getResourceAsStream("http_client.py")) {
            Files.copy(in, client);
        }
        Path site = Files.createDirectories(work.resolve("site"));
        Files.writeString(site.resolve("small"), "ok\n");
        try (var out = Files.newOutputStream(site.resolve("bulk"))) {
            byte[] mib = new byte[1 << 20];
            for (int i = 0; i < BULK_MIB; i++) {
                out.write(mib);
            }
        }
        String ns = "albench-" + ProcessHandle.current().pid();
        String link = "alb" + (ProcessHandle.current().pid() % 100000);
        Process web = null;
        try {
            sh("ip", "netns", "add", ns);
            sh("ip", "link", "add", link, "type", "veth", "peer", "name", "inet0", "netns", ns);
            sh("ip", "addr", "add", "203.0.113.1/24", "dev", link);
            sh("ip", "link", "set", link, "up");
            sh("ip", "-n", ns, "addr", "add", SERVER + "/24", "dev", "inet0");
            sh("ip", "-n", ns, "link", "set", "inet0", "up");
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            web = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-m", "http.server", "80", "--bind", SERVER)
                    .directory(site.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("web.log").toFile()).start();
            waitForServer(client);
            measure(client);
        } finally {
            if (web != null) {
                web.destroyForcibly();
                web.waitFor(10, TimeUnit.SECONDS);
            }
            shQuietly("ip", "link", "del", link);
            shQuietly("ip", "netns", "del", ns);
        }
    }

    private void measure(Path client) throws Exception {
        JsonNode hostSmall = JSON.readTree(hostPython(client, "/small", Integer.toString(n * 2)));
        JsonNode hostBulk = JSON.readTree(hostPython(client, "/bulk", "1", "--bulk"));
        EgressSettings egress = new EgressSettings(EgressRules.parse("ceiling", List.of("203.0.113.0/24")), t -> Optional.empty(),
                EgressLimits.DEFAULTS, new BlockedAddresses(BlockedAddresses.hostAddresses()), EgressAudits.inMemory());
        try (SandboxRuntime runtime = OciRuntime.create(home, Path.of("/run/airlock-egress-bench"), agent);
                SandboxService service = SandboxService.create(templates, runtime, SandboxPolicy.standard().withPoolSizes(Map.of()),
                        Clock.systemUTC(), SandboxQuotas.unlimited(), SandboxListener.none(), egress)) {
            service.start();
            Samples plain = new Samples();
            Samples withEgress = new Samples();
            for (int i = 0; i < n; i++) {
                plain.add(timedCreate(service, NetworkRules.of(false, List.of(), List.of(), false)));
                withEgress.add(timedCreate(service, NetworkRules.DEFAULT));
            }
            String id = service.create(SandboxRequest.of("base")).id();
            String script = Files.readString(client);
            JsonNode small = JSON.readTree(inSandbox(service, id, script, "/small", Integer.toString(n * 2)));
            JsonNode bulk = JSON.readTree(inSandbox(service, id, script, "/bulk", "1", "--bulk"));
            service.kill(id);
            report.latency("create with egress -> ready (runc)", withEgress, "create without egress", plain, "-");
            report.latency("HTTP GET, new connection, via egress proxy", samples(small), "the same from the host, direct",
                    samples(hostSmall), "-");
            report.value("HTTP download " + BULK_MIB + " MiB via egress proxy",
                    String.format("%.0f MiB/s vs %.0f MiB/s direct", mibPerSecond(bulk), mibPerSecond(hostBulk)), "-");
        }
    }

    private static long timedCreate(SandboxService service, NetworkRules rules) {
        long t0 = System.nanoTime();
        String id = service.create(SandboxRequest.of("base").withNetwork(rules)).id();
        long t = System.nanoTime() - t0;
        service.kill(id);
        return t;
    }

    private static String inSandbox(SandboxService service, String id, String script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", script, SERVER));
        cmd.addAll(List.of(args));
        var p = service.spawn(id, new ProcessSpec(cmd, Map.of(), "", "", false, null, ""));
        CommandRunner.Result r = CommandRunner.run(p, Duration.ofMinutes(5), 1 << 20);
        if (r.status().exitCode() != 0) {
            throw new IllegalStateException("the HTTP client in the sandbox failed: " + r.stderr().strip());
        }
        return r.stdout();
    }

    private static String hostPython(Path client, String... args) throws Exception {
        return hostPython(client, ProcessBuilder.Redirect.INHERIT, args);
    }

    private static String hostPython(Path client, ProcessBuilder.Redirect stderr, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", client.toString(), SERVER));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(stderr).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("the HTTP client on the host failed: " + out);
        }
        return out;
    }

    private static void waitForServer(Path client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                hostPython(client, ProcessBuilder.Redirect.DISCARD, "/small", "1", "--bulk"); // until it answers
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Samples samples(JsonNode j) {
        return Samples.ofMillis(j.path("samples_ms"));
    }

    private static double mibPerSecond(JsonNode j) {
        return j.path("bytes").asDouble() / (1 << 20) / j.path("seconds").asDouble();
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void shQuietly(String... cmd) {
        try {
            sh(cmd);
        } catch (IOException e) {
            // cleanup of what may not exist
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
