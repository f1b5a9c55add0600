package io.airlock.server;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.SandboxPolicy;
import io.airlock.runtime.TemplateCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A real server on port 0 over the shared template cache, with a private data directory. Shared
 * with the SDK and CLI tests through this module's test jar.
 */
public final class TestServer implements AutoCloseable {
    public static final Path TEMPLATES = Path.of(System.getProperty("airlock.test.templates",
            System.getProperty("user.home") + "/.airlock/templates"));

    public final Airlock airlock;
    public final Path home;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestServer(Airlock airlock, Path home) {
        this.airlock = airlock;
        this.home = home;
    }

    public static TestServer start(Map<String, Integer> pools) throws IOException {
        return start(pools, Map.of());
    }

    /** A server with extra environment settings, e.g. {@code AIRLOCK_IDLE_TIMEOUT_SECONDS}. */
    public static TestServer start(Map<String, Integer> pools, Map<String, String> env) throws IOException {
        return startAt(Files.createTempDirectory("airlock-server-test"), pools, env);
    }

    /** A server over an existing data directory, e.g. to restart one on the home a closed one used. */
    public static TestServer startAt(Path home, Map<String, Integer> pools, Map<String, String> env) throws IOException {
        TemplateCatalog.open(TEMPLATES, Clock.systemUTC()).build(BuiltinTemplates.BASE, BuildProgress.NONE);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(Map.of(
                "AIRLOCK_HOME", home.toString(),
                "AIRLOCK_TEMPLATES", TEMPLATES.toString()));
        // A second server in the same JVM needs its own state root, or its start-up sweep reaps
        // the first one's sandboxes.
        all.putIfAbsent("AIRLOCK_STATE", "/run/airlock-test-" + ProcessHandle.current().pid());
        AirlockConfig config = AirlockConfig.fromEnvironment(all)
                .withPort(0)
                .withPolicy(SandboxPolicy.standard().withPoolSizes(pools));
        return new TestServer(Airlock.start(config), home);
    }

    /** The admin tenant's API key, written to {@code $AIRLOCK_HOME/admin.key} on first start. */
    public String adminKey() throws IOException {
        return Files.readString(home.resolve("admin.key")).trim();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + airlock.port();
    }

    /** A request with the admin key. */
    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, adminKey());
    }

    /** A request with the given API key, or none if {@code apiKey} is null. */
    public HttpResponse<String> send(String method, String path, String body, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        airlock.close();
    }
}
