package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Reads one {@code Process.Start} or {@code Process.Connect} stream on a daemon thread of its own:
 * the {@code start} event's pid, {@code data} events ({@code stdout}, {@code stderr}, {@code pty},
 * base64) passed to a listener, and the {@code end} event. {@link #cancel()} closes the stream,
 * which leaves the process running.
 */
final class ProcessReader {
    /** Receives output on the reader thread. */
    interface Listener {
        void data(String kind, byte[] bytes);
    }

    /** How a process ended, as envd's {@code end} event says. */
    static final class End {
        final int exitCode;
        final String status;

        End(int exitCode, String status) {
            this.exitCode = exitCode;
            this.status = status;
        }
    }

    private final Envelopes stream;
    private final String what;
    private final Listener listener;
    private final CompletableFuture<Integer> pid = new CompletableFuture<>();
    private final CompletableFuture<End> end = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean cancelled;

    private ProcessReader(Envelopes stream, String what, Listener listener) {
        this.stream = stream;
        this.what = what;
        this.listener = listener;
        this.thread = new Thread(this::read, "airlock-process-reader");
        this.thread.setDaemon(true);
    }

    static ProcessReader start(Envelopes stream, String what, Listener listener) {
        ProcessReader r = new ProcessReader(stream, what, listener);
        r.thread.start();
        return r;
    }

    private void read() {
        End last = null;
        try {
            for (Optional<JsonNode> m = stream.next(); m.isPresent(); m = stream.next()) {
                JsonNode event = m.get().path("event");
                if (event.has("start")) {
                    pid.complete(event.path("start").path("pid").asInt());
                } else if (event.has("data")) {
                    for (Map.Entry<String, JsonNode> d : event.path("data").properties()) {
                        listener.data(d.getKey(), Base64.getDecoder().decode(d.getValue().asText()));
                    }
                } else if (event.has("end")) {
                    JsonNode e = event.path("end");
                    last = new End(e.path("exitCode").asInt(0), Json.text(e, "status"));
                }
            }
            if (last == null) {
                throw new SandboxException(what + ": the stream ended without the process's end event", 0);
            }
            pid.complete(-1);
            end.complete(last);
        } catch (AirlockException e) {
            fail(e);
        } catch (IOException e) {
            fail(cancelled ? new SandboxException(what + ": stopped receiving output (disconnected); the process may still run", 0, e)
                    : new SandboxException(what + ": " + e.getMessage(), 0, e));
        } catch (RuntimeException e) {
            fail(new SandboxException(what + ": an output callback failed: " + e, 0, e));
        } catch (Error e) {
            // an OutOfMemoryError, or an Error from a callback: waiters must not hang or see a false timeout
            fail(new SandboxException(what + ": reading output failed: " + e, 0, e));
            throw e;
        } finally {
            stream.close();
        }
    }

    private void fail(AirlockException e) {
        pid.completeExceptionally(e);
        end.completeExceptionally(e);
    }

    /** Waits for the pid from the {@code start} event. */
    int awaitPid(Duration timeout) {
        return await(pid, timeout, "its start", true);
    }

    /** The end, if it has come. */
    Optional<End> endNow() {
        return end.isDone() && !end.isCompletedExceptionally() ? Optional.of(end.join()) : Optional.empty();
    }

    /**
     * Waits for the end event; {@code timeout} zero waits indefinitely.
     *
     * @param cancelOnTimeout whether to stop reading when it does not come in time
     * @throws TimeoutException if it does not come in time
     */
    End awaitEnd(Duration timeout, boolean cancelOnTimeout) {
        return await(end, timeout, "the end", cancelOnTimeout);
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout, String of, boolean cancelOnTimeout) {
        try {
            return timeout.isZero() ? future.get() : future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                // the server's deadline, not how long this call was prepared to wait: the caller, who
                // knows the command's timeout, fills it in (see EnvdCommandHandle#waitFor)
                TimeoutException server = (TimeoutException) e.getCause();
                throw new TimeoutException(server.getMessage(), server.timeout(), server);
            }
            throw e.getCause() instanceof AirlockException ? (AirlockException) e.getCause()
                    : new SandboxException(what + ": " + e.getCause(), 0, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            if (cancelOnTimeout) {
                cancel();
            }
            throw new TimeoutException(what + ": gave up waiting for " + of + " after " + timeout.toMillis() + " ms", timeout, e);
        } catch (InterruptedException e) {
            throw Errors.interrupted(e, what);
        }
    }

    /** Stops reading; the process keeps running. Idempotent. */
    void cancel() {
        cancelled = true;
        stream.close();
        thread.interrupt();
    }
}
