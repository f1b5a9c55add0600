package io.airlock.server.interpreter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one execution on a kernel and streams it to the client as E2B's NDJSON, one line per
 * event, each flushed at once.
 *
 * <p>Lines that arrive together are flushed together, and the last ones go out with the end of
 * the response, so a short execution costs the client one read. The status line goes with the
 * first output or keepalive, within {@link #KEEPALIVE}.
 *
 * <p>The client going away (the SDK aborts the request when its {@code timeoutMs} passes) is
 * noticed at the next write; to notice it while the code is silent, a {@code keepalive} line
 * (a type the SDKs ignore) is written after every {@link #KEEPALIVE} without output. Then the
 * running code is interrupted (SIGINT, as a notebook's stop button does) and its remaining events
 * are drained, so the context is free and keeps its state for the next call. Code that does not
 * stop within {@link #INTERRUPT_GRACE} has its kernel killed; the context then starts a fresh one.
 */
final class ExecutionStream {
    private static final Logger log = LoggerFactory.getLogger(ExecutionStream.class);
    static final String CONTENT_TYPE = "application/x-ndjson";
    static final Duration KEEPALIVE = Duration.ofSeconds(1);
    static final Duration INTERRUPT_GRACE = Duration.ofSeconds(10);
    private static final Duration DEATH_WAIT = Duration.ofSeconds(10);
    private static final byte[] KEEPALIVE_LINE = "{\"type\":\"keepalive\"}\n".getBytes(StandardCharsets.US_ASCII);

    private final Kernel kernel;
    private final HttpServletResponse res;
    private final InstantSource clock;
    private final UnaryOperator<String> mask;
    private @Nullable OutputStream out;
    private boolean clientGone;

    /** @param mask masks the sandbox's secret values in one whole NDJSON line */
    ExecutionStream(Kernel kernel, HttpServletResponse res, InstantSource clock, UnaryOperator<String> mask) {
        this.mask = mask;
        this.kernel = kernel;
        this.res = res;
        this.clock = clock;
    }

    /** Runs {@code code} with {@code envVars} set for this execution only, to its end. */
    void run(String code, Map<String, String> envVars) throws InterruptedException {
        Kernel.Execution e = kernel.begin(UUID.randomUUID().toString());
        try {
            ObjectNode request = E2bLines.JSON.createObjectNode();
            request.put("id", e.id);
            request.put("type", "execute");
            request.put("code", code);
            if (!envVars.isEmpty()) {
                ObjectNode env = request.putObject("env_vars");
                envVars.forEach(env::put);
            }
            kernel.send(e, request);
            pump(e);
        } finally {
            kernel.finish(e);
        }
    }

    private void pump(Kernel.Execution e) throws InterruptedException {
        Instant giveUp = null; // after a disconnect: when to stop waiting for the interrupted code
        boolean killed = false;
        while (true) {
            Duration wait = giveUp == null ? KEEPALIVE : Duration.between(clock.instant(), giveUp);
            Kernel.Event event = wait.isNegative() || wait.isZero() ? e.events.poll()
                    : e.events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                if (giveUp == null) {
                    write(KEEPALIVE_LINE);
                    flush();
                } else if (!killed) {
                    killed = true;
                    kernel.kill("the code did not stop within " + INTERRUPT_GRACE.toSeconds()
                            + " s of an interrupt (its client went away)");
                    giveUp = clock.instant().plus(DEATH_WAIT);
                } else {
                    log.atWarn().addKeyValue("execution", e.id).log("a killed kernel did not report its end; giving up on it");
                    return;
                }
            } else {
                boolean ended;
                try {
                    ended = handle(event);
                } finally {
                    Kernel.consumed(event);
                }
                if (ended) {
                    return; // unflushed: Jetty sends the last lines with the end of the response, in one write
                } else if (e.events.isEmpty()) {
                    flush();
                }
            }
            if (clientGone && giveUp == null) {
                kernel.interrupt();
                giveUp = clock.instant().plus(INTERRUPT_GRACE);
            }
        }
    }

    /** Streams one event; true if it ended the execution. */
    private boolean handle(Kernel.Event event) {
        switch (event) {
            case Kernel.Event.Line(ObjectNode line, int _) -> {
                String type = line.path("type").asText("");
                switch (type) {
                    case "stdout", "stderr" -> {
                        ObjectNode out = E2bLines.stream(type, line, nowNanos());
                        if (out != null) {
                            send(out);
                        }
                    }
                    case "result" -> send(E2bLines.result(line));
                    case "error" -> send(E2bLines.error(line));
                    case "end" -> {
                        JsonNode count = line.get("execution_count");
                        if (count != null && count.canConvertToLong()) {
                            send(E2bLines.numberOfExecutions(count.asLong()));
                        }
                        send(E2bLines.endOfExecution());
                        return true;
                    }
                    default -> { } // a kernel's own bookkeeping; nothing the client knows
                }
            }
            case Kernel.Event.Died(String name, String value) -> {
                send(E2bLines.error(name, value, ""));
                send(E2bLines.unexpectedEnd());
                return true;
            }
            case Kernel.Event.Dropped(long length) -> {
                ObjectNode note = E2bLines.JSON.createObjectNode();
                note.put("text", "[airlock] an output of " + length + " bytes was dropped: one message may be at most "
                        + (E2bLines.MAX_LINE >> 20) + " MiB\n");
                send(E2bLines.stream("stderr", note, nowNanos()));
            }
        }
        return false;
    }

    private long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void send(@Nullable ObjectNode line) {
        if (line != null) {
            write((mask.apply(line.toString()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private void write(byte[] bytes) {
        if (clientGone) {
            return;
        }
        try {
            if (out == null) {
                res.setStatus(200);
                res.setContentType(CONTENT_TYPE);
                res.setHeader("Cache-Control", "no-store");
                out = res.getOutputStream();
            }
            out.write(bytes);
        } catch (IOException | RuntimeException e) {
            gone(e);
        }
    }

    /** Sends what was written so far to the client. */
    private void flush() {
        if (clientGone || out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException | RuntimeException e) {
            gone(e);
        }
    }

    private void gone(Exception e) {
        clientGone = true;
        log.atDebug().log("execute client went away: {}", e.toString());
    }
}
