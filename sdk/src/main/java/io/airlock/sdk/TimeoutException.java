package io.airlock.sdk;

import java.time.Duration;

/**
 * A call did not finish within its time: a request timeout on the client, a command's
 * {@code timeout} (the server kills the command, as envd does), or a {@code runCode} timeout (the
 * server interrupts the code; the context keeps its state).
 *
 * <pre>{@code
 * try {
 *     sbx.commands().run("sleep 10", RunOptions.builder().timeout(Duration.ofSeconds(1)).build());
 * } catch (TimeoutException e) {
 *     System.err.println("gave up after " + e.timeout());
 * }
 * }</pre>
 */
public class TimeoutException extends AirlockException {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;

    public TimeoutException(String message, Duration timeout, Throwable cause) {
        super(message, 0, cause);
        this.timeout = timeout;
    }

    /** The time limit that passed. */
    public Duration timeout() {
        return timeout;
    }
}
