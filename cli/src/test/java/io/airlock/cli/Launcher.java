package io.airlock.cli;

import io.airlock.server.TestServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real command, {@code ./airlock} of this checkout, as a separate process against a
 * test server, configured the way a user would ({@code AIRLOCK_URL}, {@code AIRLOCK_API_KEY}).
 */
final class Launcher {
    static final Path ROOT = Path.of(System.getProperty("airlock.root", "..")).toAbsolutePath().normalize();

    record Run(int code, String out, String err) {}

    private final TestServer server;

    Launcher(TestServer server) {
        this.server = server;
    }

    Run airlock(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("airlock").toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, stdin);
    }

    /** Starts {@code ./airlock ARGS} without waiting; its output is discarded. */
    Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("airlock").toString()));
        cmd.addAll(List.of(args));
        return configured(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private ProcessBuilder configured(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AIRLOCK_") || k.startsWith("E2B_"));
        pb.environment().putAll(Map.of("AIRLOCK_URL", server.baseUrl(), "AIRLOCK_API_KEY", server.adminKey(),
                "AIRLOCK_HOME", server.home.toString()));
        return pb;
    }

    Run exec(List<String> cmd, String stdin) throws Exception {
        ProcessBuilder pb = configured(cmd);
        Path out = Files.createTempFile("cli-out", ".txt");
        Path err = Files.createTempFile("cli-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish; out: " + Files.readString(out) + " err: " + Files.readString(err));
        }
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }
}
