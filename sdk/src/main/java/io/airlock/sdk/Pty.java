package io.airlock.sdk;

import java.time.Duration;
import java.util.Optional;

/**
 * A shell on a pseudo-terminal in a sandbox. Closing it kills the shell. Thread-safe.
 *
 * <pre>{@code
 * Pty pty = sbx.pty().create(80, 24, out -> System.out.writeBytes(out));
 * pty.sendInput("exit\n".getBytes(StandardCharsets.UTF_8));
 * pty.waitFor(Duration.ofSeconds(5));
 * }</pre>
 */
public interface Pty extends AutoCloseable {
    /** The shell's process id. */
    int pid();

    /** Sends keystrokes (bytes as typed, e.g. {@code 0x03} for Ctrl+C). */
    void sendInput(byte[] data);

    /** Changes the terminal's size. */
    void resize(int cols, int rows);

    /** Kills the shell: true, or false if it had already ended. */
    boolean kill();

    /**
     * Waits up to {@code timeout} for the shell to end and returns its exit code.
     *
     * @throws TimeoutException if it is still running then
     */
    int waitFor(Duration timeout);

    /** The exit code if the shell has ended. */
    Optional<Integer> exitCode();

    /** Kills the shell if it still runs. */
    @Override
    void close();
}
