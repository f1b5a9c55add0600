package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test of the E2B-compatible API: the official {@code e2b} npm SDK (pinned in
 * {@code conformance/package-lock.json}) drives a real server on both planes. The tests are
 * {@code conformance/test/*.test.mjs}, run by node's own test runner; this class starts the
 * server, creates two tenants through the admin API, runs node and fails with the names of the
 * failing tests. The full node output is in the test log, a JUnit report in
 * {@code target/conformance-junit.xml}.
 */
class E2bSdkConformanceTest {
    private static final Path CONFORMANCE = Path.of(System.getProperty("airlock.conformance", "../conformance"))
            .toAbsolutePath().normalize();
    private static final Path JUNIT_REPORT = Path.of("target/conformance-junit.xml").toAbsolutePath();
    private static final Duration SUITE_LIMIT = Duration.ofMinutes(6);
    private static final Pattern FAILED = Pattern.compile("^\\s*✖ (.+?)(?: \\([0-9.]+m?s\\))?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void officialSdkSuitePasses() throws Exception {
        assertThat(CONFORMANCE.resolve("node_modules/e2b/package.json"))
                .as("the e2b SDK is not installed in %s; run ./airlock setup (npm ci --prefix conformance)", CONFORMANCE)
                .exists();
        List<String> files;
        try (Stream<Path> s = Files.list(CONFORMANCE.resolve("test"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".test.mjs")).sorted()
                    .map(n -> "test/" + n).toList();
        }
        assertThat(files).as("conformance tests in %s/test", CONFORMANCE).isNotEmpty();

        // interpreter.test.mjs runs the @e2b/code-interpreter SDK, whose default template this is
        io.airlock.runtime.TemplateCatalog.open(TestServer.TEMPLATES, java.time.Clock.systemUTC())
                .build(io.airlock.core.BuiltinTemplates.CODE_INTERPRETER, io.airlock.core.BuildProgress.NONE);
        try (TestServer server = TestServer.start(Map.of("base", 1))) {
            String url = "http://127.0.0.1:" + server.airlock.port();
            String adminKey = server.adminKey();
            String keyA = createTenant(url, adminKey, "conformance-a");
            String keyB = createTenant(url, adminKey, "conformance-b");

            List<String> cmd = new ArrayList<>(List.of(System.getProperty("airlock.node", "node"),
                    "--test", "--test-concurrency=2",
                    "--test-reporter=spec", "--test-reporter-destination=stdout",
                    "--test-reporter=junit", "--test-reporter-destination=" + JUNIT_REPORT));
            cmd.addAll(files);
            Files.createDirectories(JUNIT_REPORT.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(CONFORMANCE.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("E2B_") || k.startsWith("AIRLOCK_"));
            env.put("E2B_API_URL", url);
            env.put("E2B_SANDBOX_URL", url);
            env.put("E2B_API_KEY", keyA);
            env.put("AIRLOCK_SECOND_KEY", keyB);
            env.put("AIRLOCK_ADMIN_KEY", adminKey);
            env.put("NO_COLOR", "1");

            Run run = run(pb);
            assertThat(run.exitCode)
                    .as("node --test exited %d; failing: %s (full output above, JUnit report %s)",
                            run.exitCode, run.failures.isEmpty() ? "see output" : String.join("; ", run.failures), JUNIT_REPORT)
                    .isZero();
        }
    }

    private record Run(int exitCode, List<String> failures) {}

    private static Run run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        Set<String> failures = Collections.synchronizedSet(new LinkedHashSet<>());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                // The spec reporter ends with "✖ failing tests:", then per failure "test at <file:line>",
                // "✖ <name> (<time>)" and the error; collect "<file>: <name>: <first error line>".
                boolean summary = false;
                String where = "";
                String failed = null;
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[conformance] " + line);
                    if (line.startsWith("✖ failing tests:")) {
                        summary = true;
                    } else if (summary && line.startsWith("test at ")) {
                        where = line.substring(8).replaceAll(":\\d+:\\d+$", "").replaceFirst("^.*/", "") + ": ";
                    } else if (summary && FAILED.matcher(line).matches()) {
                        Matcher m = FAILED.matcher(line);
                        m.matches();
                        failed = where + m.group(1).trim();
                    } else if (failed != null && !line.isBlank()) {
                        String reason = line.trim();
                        failures.add(failed + ": " + (reason.length() > 240 ? reason.substring(0, 240) + "…" : reason));
                        failed = null;
                    }
                }
                if (failed != null) {
                    failures.add(failed);
                }
            } catch (IOException e) {
                System.out.println("[conformance] output ended: " + e.getMessage());
            }
        });
        if (!p.waitFor(SUITE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5_000);
            failures.add("the suite did not finish within " + SUITE_LIMIT.toMinutes() + " minutes");
            return new Run(-1, snapshot(failures));
        }
        reader.join(10_000);
        return new Run(p.exitValue(), snapshot(failures));
    }

    private static List<String> snapshot(Set<String> set) {
        synchronized (set) {
            return List.copyOf(set);
        }
    }

    /** Creates a tenant through the admin API; returns its first API key. */
    private String createTenant(String url, String adminKey, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/admin/tenants"))
                        .timeout(Duration.ofSeconds(30))
                        .header("X-API-Key", adminKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("name", name, "maxSandboxes", 100))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST /admin/tenants: %s", r.body()).isEqualTo(201);
        JsonNode key = JSON.readTree(r.body()).path("apiKey");
        assertThat(key.asText()).as("tenant apiKey in %s", r.body()).matches("e2b_[0-9a-f]{40}");
        return key.asText();
    }
}
