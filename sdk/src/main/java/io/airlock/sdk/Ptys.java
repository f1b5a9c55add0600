package io.airlock.sdk;

import java.util.function.Consumer;

/**
 * Interactive terminals in a sandbox: {@code /bin/bash -i -l} on a pseudo-terminal, as E2B's
 * {@code sandbox.pty} starts it. Thread-safe.
 *
 * <pre>{@code
 * try (Pty pty = sbx.pty().create(80, 24, bytes -> System.out.write(bytes, 0, bytes.length))) {
 *     pty.sendInput("ls -la\n".getBytes(StandardCharsets.UTF_8));
 *     pty.resize(120, 40);
 * }
 * }</pre>
 */
public interface Ptys {
    /**
     * Starts a login shell on a terminal of {@code cols} by {@code rows}, as user {@code user} in
     * its home, and returns once it runs. Output goes to {@code onData} on a reader thread.
     *
     * @throws IllegalArgumentException unless cols and rows are in 1..65535
     */
    Pty create(int cols, int rows, Consumer<byte[]> onData);
}
