package io.airlock.server.envd;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.runtime.OciRuntime;
import io.airlock.runtime.TemplateCatalog;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane alone, for its own tests: a real runtime and service behind a real Javalin on
 * port 0 with only {@link EnvdApi} mounted. Sandboxes are created in-process; each gets a random
 * access token unless created insecure.
 */
final class EnvdServer implements AutoCloseable {
    static final Path TEMPLATES = Path.of(System.getProperty("airlock.test.templates",
            System.getProperty("user.home") + "/.airlock/templates"));

    final SandboxService service;
    private final SandboxRuntime runtime;
    private final Javalin http;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private EnvdServer(SandboxService service, SandboxRuntime runtime, Javalin http) {
        this.service = service;
        this.runtime = runtime;
        this.http = http;
    }

    static EnvdServer start() throws IOException {
        Templates templates = TemplateCatalog.open(TEMPLATES, Clock.systemUTC());
        templates.build(BuiltinTemplates.BASE, BuildProgress.NONE);
        Path home = Files.createTempDirectory("airlock-envd-test");
        SandboxRuntime runtime = OciRuntime.create(home, Path.of("/run/airlock-test-" + ProcessHandle.current().pid() + "-envd"),
                Path.of(System.getProperty("airlock.agent", "../agent/target/airlock-init")));
        SandboxService service = SandboxService.create(templates, runtime, SandboxPolicy.standard().withPoolSizes(Map.of()),
                Clock.systemUTC());
        service.start();
        EnvdServer[] self = new EnvdServer[1];
        EnvdAccess access = id -> {
            service.get(id);
            String token = self[0].tokens.get(id);
            return token == null || token.isEmpty() ? Optional.empty() : Optional.of(token);
        };
        EnvdApi envd = new EnvdApi(service, access, Clock.systemUTC());
        Javalin http = Javalin.create(c -> {
            c.concurrency.useVirtualThreads = true;
            c.startup.showJavalinBanner = false;
            envd.routes(c.routes);
            c.routes.get("/health", envd::health);
            c.routes.get("/metrics", envd::metrics);
        });
        http.start("127.0.0.1", 0);
        self[0] = new EnvdServer(service, runtime, http);
        return self[0];
    }

    /** A new secure sandbox of the base template; see {@link #token}. */
    Sandbox sandbox() {
        return sandbox(true, Map.of());
    }

    Sandbox sandbox(boolean secure, Map<String, String> env) {
        Sandbox s = service.create(SandboxRequest.of("base").withEnv(env));
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        tokens.put(s.id(), secure ? HexFormat.of().formatHex(random) : "");
        return s;
    }

    /** A new secure sandbox of the base template with the given limits (e.g. a small disk). */
    Sandbox sandbox(io.airlock.core.Resources resources) {
        Sandbox s = service.create(SandboxRequest.of("base").withResources(resources));
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        tokens.put(s.id(), HexFormat.of().formatHex(random));
        return s;
    }

    /** The access token of a sandbox made by {@link #sandbox}, empty if insecure. */
    String token(String sandboxId) {
        String t = tokens.get(sandboxId);
        if (t == null) {
            throw new SandboxNotFoundException(sandboxId);
        }
        return t;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    /** A request to the data plane for {@code sandboxId}, with its sandbox and token headers set. */
    HttpRequest.Builder request(String sandboxId, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("E2b-Sandbox-Id", sandboxId)
                .header("E2b-Sandbox-Port", "49983");
        String token = tokens.getOrDefault(sandboxId, "");
        if (!token.isEmpty()) {
            b.header("X-Access-Token", token);
        }
        return b;
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return client.send(request, handler);
    }

    HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        http.stop();
        service.close();
        runtime.close();
    }
}
