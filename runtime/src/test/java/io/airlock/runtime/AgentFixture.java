package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real agent binary ({@code -Dairlock.agent}, built by {@code make -C agent}) started on the
 * host as a child process, with an {@link AgentConnection} over its stdin and stdout. Running as
 * an ordinary process, the agent resolves paths against the host's root, so tests work in a
 * {@code @TempDir}.
 */
final class AgentFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final Process agent;
    final AgentConnection conn;

    private AgentFixture(Process agent, AgentConnection conn) {
        this.agent = agent;
        this.conn = conn;
    }

    static Path binary() {
        return Path.of(System.getProperty("airlock.agent", "../agent/target/airlock-init"));
    }

    /** Skips the test if the agent has not been built. */
    static void assumeBuilt() {
        Assumptions.assumeTrue(Files.isExecutable(binary()), "agent binary not built at " + binary().toAbsolutePath());
    }

    static AgentFixture start() {
        return start(AgentSettings.defaults());
    }

    static AgentFixture start(AgentSettings settings) {
        assumeBuilt();
        Process p = launch(List.of(binary().toAbsolutePath().toString()));
        try {
            return new AgentFixture(p, AgentConnection.open("test-sbx", p.getInputStream(), p.getOutputStream(), settings));
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    static Process launch(List<String> command) {
        try {
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new AssertionError("could not start " + command, e);
        }
    }

    AgentProcess spawn(String... args) {
        return conn.spawn(spec(List.of(args), false, null));
    }

    static ProcessSpec spec(List<String> args, boolean stdin, ProcessSpec.PtySize pty) {
        return new ProcessSpec(args, Map.of(), "", "root", stdin, pty, "");
    }

    /** Everything a reader receives until END, per stream. */
    record Collected(String stdout, String stderr, String pty) {}

    static Collected collect(ProcessOutput out) throws InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ByteArrayOutputStream pty = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<OutputChunk> c = out.next(Duration.ofMillis(200));
            if (c.isEmpty()) {
                continue;
            }
            switch (c.get().kind()) {
                case STDOUT -> stdout.writeBytes(c.get().data());
                case STDERR -> stderr.writeBytes(c.get().data());
                case PTY -> pty.writeBytes(c.get().data());
                case END -> {
                    return new Collected(text(stdout), text(stderr), text(pty));
                }
            }
        }
        throw new AssertionError("no END within " + WAIT + "; so far stdout=" + text(stdout) + " stderr=" + text(stderr) + " pty=" + text(pty));
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Sends a signal to the agent process itself. */
    void signalAgent(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(agent.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Closes the connection; the agent exits when its stdin closes, killing what it started. */
    @Override
    public void close() {
        conn.close();
        try {
            if (!agent.waitFor(5, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.destroyForcibly();
        }
    }
}
