package io.airlock.bench;

import io.airlock.server.Airlock;
import io.airlock.server.AirlockConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** An Airlock server in the bench's own process, on a free port, with its data under {@code home}. */
final class BenchServer {
    private BenchServer() {}

    /**
     * Starts a server with the given warm pool sizes by template; {@code name} tells its runtime
     * state directory ({@code /run/airlock-<name>-<pid>}) apart from other benches'.
     */
    static Airlock start(String name, Path home, Path templates, Path agent, Map<String, Integer> pools) throws IOException {
        Files.createDirectories(home);
        AirlockConfig config = AirlockConfig.fromEnvironment(Map.of(
                        "AIRLOCK_HOME", home.toString(),
                        "AIRLOCK_TEMPLATES", templates.toString(),
                        "AIRLOCK_AGENT", agent.toString(),
                        "AIRLOCK_STATE", "/run/airlock-" + name + "-" + ProcessHandle.current().pid()))
                .withPort(0);
        return Airlock.start(config.withPolicy(config.policy().withPoolSizes(pools)));
    }
}
