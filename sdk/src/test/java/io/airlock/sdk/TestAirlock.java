package io.airlock.sdk;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.SandboxPolicy;
import io.airlock.runtime.TemplateCatalog;
import io.airlock.server.Airlock;
import io.airlock.server.AirlockConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * One real server for the whole test run, on port 0, over the shared template cache (the
 * {@code base} and {@code code-interpreter} templates are built once and reused), with a private
 * data directory and the admin tenant's key. Closed when the JVM exits.
 */
final class TestAirlock {
    static final Path TEMPLATES = Path.of(System.getProperty("airlock.test.templates",
            System.getProperty("user.home") + "/.airlock/templates"));
    private static TestAirlock shared;

    private final Airlock airlock;
    private final String adminKey;

    private TestAirlock(Airlock airlock, String adminKey) {
        this.airlock = airlock;
        this.adminKey = adminKey;
    }

    static synchronized TestAirlock shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared.airlock::close, "test-airlock-stop"));
        }
        return shared;
    }

    private static TestAirlock start() {
        try {
            var templates = TemplateCatalog.open(TEMPLATES, Clock.systemUTC());
            templates.build(BuiltinTemplates.BASE, BuildProgress.NONE);
            templates.build(BuiltinTemplates.CODE_INTERPRETER, BuildProgress.NONE);
            Path home = Files.createTempDirectory("airlock-sdk-test");
            AirlockConfig config = AirlockConfig.fromEnvironment(Map.of(
                            "AIRLOCK_HOME", home.toString(),
                            "AIRLOCK_TEMPLATES", TEMPLATES.toString(),
                            "AIRLOCK_STATE", "/run/airlock-sdk-test-" + ProcessHandle.current().pid()))
                    .withPort(0)
                    .withPolicy(SandboxPolicy.standard().withPoolSizes(Map.of()));
            Airlock airlock = Airlock.start(config);
            return new TestAirlock(airlock, Files.readString(home.resolve("admin.key")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + airlock.port();
    }

    String adminKey() {
        return adminKey;
    }

    /** A client with the admin tenant's key. */
    AirlockClient client() {
        return AirlockClient.builder().url(url()).apiKey(adminKey).requestTimeout(Duration.ofSeconds(60)).build();
    }
}
