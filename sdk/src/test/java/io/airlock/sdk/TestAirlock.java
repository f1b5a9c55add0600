package io.airlock.sdk;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.runtime.TemplateCatalog;
import io.airlock.server.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * One real server for the whole test run, on port 0, over the shared template cache (the
 * {@code base} and {@code code-interpreter} templates are built once and reused), with a private
 * data directory and the admin tenant's key. Closed when the JVM exits.
 */
final class TestAirlock {
    private static TestAirlock shared;

    private final TestServer server;

    private TestAirlock(TestServer server) {
        this.server = server;
    }

    static synchronized TestAirlock shared() {
        if (shared == null) {
            try {
                TemplateCatalog.open(TestServer.TEMPLATES, Clock.systemUTC()).build(BuiltinTemplates.CODE_INTERPRETER, BuildProgress.NONE);
                shared = new TestAirlock(TestServer.start(Map.of(), Map.of("AIRLOCK_STATE", "/run/airlock-sdk-test-" + ProcessHandle.current().pid())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared.server::close, "test-airlock-stop"));
        }
        return shared;
    }

    String url() {
        return server.baseUrl();
    }

    String adminKey() {
        try {
            return server.adminKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client with the admin tenant's key. */
    AirlockClient client() {
        return AirlockClient.builder().url(url()).apiKey(adminKey()).requestTimeout(Duration.ofSeconds(60)).build();
    }
}
