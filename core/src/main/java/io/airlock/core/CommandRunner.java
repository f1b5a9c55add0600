package io.airlock.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a started process to completion, collecting at most {@code cap} bytes of each stream.
 * Output beyond the cap is read and dropped, so the process never blocks on a full pipe. At the
 * timeout the process gets SIGKILL and the result says it timed out.
 */
public final class CommandRunner {
    private static final Duration EXIT_GRACE = Duration.ofSeconds(30);

    private CommandRunner() {}

    /**
     * What a finished (or timed-out) command produced.
     *
     * @param status how it ended; {@code killed(9)} if it did not exit within 30 s of its output ending
     * @param stdout standard output (or the terminal), decoded as UTF-8, at most the cap
     * @param stderr standard error, at most the cap
     * @param truncated whether either stream was cut at the cap
     * @param timedOut whether the timeout killed it
     */
    public record Result(ExitStatus status, String stdout, String stderr, boolean truncated, boolean timedOut) {}

    /**
     * Attaches to {@code process} (a first reader gets the output held since it started) and
     * waits for it to end or for {@code timeout}.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public static Result run(SandboxProcess process, Duration timeout, int cap) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        boolean truncated = false;
        boolean timedOut = false;
        Instant deadline = Instant.now().plus(timeout);
        try (ProcessOutput output = process.attach()) {
            while (true) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    process.signal(9);
                    timedOut = true;
                    break;
                }
                Optional<OutputChunk> next = output.next(left);
                if (next.isEmpty()) {
                    continue;
                }
                OutputChunk c = next.get();
                if (c.kind() == OutputChunk.Kind.END) {
                    break;
                }
                ByteArrayOutputStream target = c.kind() == OutputChunk.Kind.STDERR ? err : out;
                int room = Math.max(0, cap - target.size());
                target.write(c.data(), 0, Math.min(room, c.data().length));
                truncated |= room < c.data().length;
            }
        }
        return new Result(awaitExit(process), text(out), text(err), truncated, timedOut);
    }

    private static ExitStatus awaitExit(SandboxProcess process) throws InterruptedException {
        try {
            return process.exit().get(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return ExitStatus.killed(9, false);
        }
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
