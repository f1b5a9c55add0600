package io.airlock.server;

import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.SandboxProcess;
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
 * Output beyond the cap is read and dropped, so the process never blocks on a full pipe.
 */
final class CommandRunner {
    private CommandRunner() {}

    /** What a finished (or timed-out) command produced. */
    record Result(ExitStatus status, String stdout, String stderr, boolean truncated, boolean timedOut) {}

    static Result run(SandboxProcess process, ProcessOutput output, Duration timeout, int cap) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        boolean truncated = false;
        Instant deadline = Instant.now().plus(timeout);
        try (output) {
            while (true) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    process.signal(9);
                    ExitStatus st = awaitExit(process);
                    return new Result(st, text(out), text(err), truncated, true);
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
                int room = cap - target.size();
                if (room >= c.data().length) {
                    target.write(c.data(), 0, c.data().length);
                } else {
                    target.write(c.data(), 0, Math.max(0, room));
                    truncated = true;
                }
            }
        }
        return new Result(awaitExit(process), text(out), text(err), truncated, false);
    }

    private static ExitStatus awaitExit(SandboxProcess process) throws InterruptedException {
        try {
            return process.exit().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return ExitStatus.killed(9, false);
        }
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
