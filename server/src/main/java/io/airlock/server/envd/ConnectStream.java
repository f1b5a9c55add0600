package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.eclipse.jetty.ee10.servlet.ServletApiRequest;
import org.jspecify.annotations.Nullable;

/**
 * The response side of one Connect server stream, JSON encoding: HTTP 200 with
 * {@code application/connect+json}, then envelopes (a flag byte, a 4-byte big-endian length, a
 * JSON message), each flushed at once, ended by an end-stream envelope (flag {@code 0x02})
 * holding {@code {}} or {@code {"error": {...}}}.
 *
 * <p>It also keeps the stream's clock: the deadline the client set ({@code Connect-Timeout-Ms})
 * and when the next keepalive is due. Handlers wait at most {@link #waitTime()} for work, then
 * check {@link #expired()} and {@link #keepaliveDue()}. Not thread-safe: one handler thread.
 *
 * <p>A write to a client that went away throws {@link IOException}; the handler lets it
 * propagate, releasing what it holds on the way out.
 */
final class ConnectStream {
    static final String CONTENT_TYPE = "application/connect+json";
    private static final int DATA = 0x00;
    private static final int END_STREAM = 0x02;

    private final HttpServletRequest req;
    private final HttpServletResponse res;
    private final InstantSource clock;
    private final @Nullable Instant deadline;
    private final Duration keepalive;
    private @Nullable OutputStream out;
    private Instant lastSent;
    private boolean ended;

    ConnectStream(HttpServletRequest req, HttpServletResponse res, InstantSource clock, @Nullable Instant deadline, Duration keepalive) {
        this.req = req;
        this.res = res;
        this.clock = clock;
        this.deadline = deadline;
        this.keepalive = keepalive;
        this.lastSent = clock.instant();
    }

    /** Sends one message and flushes it to the client. */
    void send(ObjectNode message) throws IOException {
        queue(message);
        flush();
    }

    /**
     * Writes one message without flushing it: for a handler that has more to say at once. It
     * must {@link #flush} before it waits for anything.
     */
    void queue(ObjectNode message) throws IOException {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        write(DATA, ProtoJson.bytes(message));
        lastSent = clock.instant();
    }

    /** Sends what was written so far. */
    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /**
     * Ends the stream: successfully when {@code error} is null. Idempotent. Not flushed: the
     * handler returns right after, and the server sends the end of the response with what is
     * still buffered, in one write.
     */
    void end(@Nullable ConnectException error) throws IOException {
        if (ended) {
            return;
        }
        ended = true;
        ObjectNode trailer = ProtoJson.object();
        if (error != null) {
            ObjectNode e = trailer.putObject("error");
            e.put("code", error.code().wire());
            e.put("message", error.getMessage());
        }
        write(END_STREAM, ProtoJson.bytes(trailer));
    }

    boolean ended() {
        return ended;
    }

    /**
     * Drops the connection without an end-stream message, as a client sees it when the sandbox
     * (and the envd in it) vanishes mid-call: the SDKs then probe the sandbox's health and report
     * that it was killed. Falls back to an {@code unavailable} end of stream where the server
     * cannot abort a connection.
     */
    void abort(String why) throws IOException {
        if (ended) {
            return;
        }
        flush(); // what the process printed before the sandbox vanished still reaches the client
        ended = true;
        ServletRequest r = req;
        while (r instanceof ServletRequestWrapper w) {
            r = w.getRequest();
        }
        if (r instanceof ServletApiRequest api && api.getServletRequestInfo() != null) {
            api.getServletRequestInfo().getServletChannel().getEndPoint().close(new IOException(why));
            return;
        }
        ended = false;
        end(new ConnectException(ConnectCode.UNAVAILABLE, why));
    }

    /** Whether the client's deadline has passed. */
    boolean expired() {
        return deadline != null && !clock.instant().isBefore(deadline);
    }

    /** Whether nothing was sent for a keepalive interval. */
    boolean keepaliveDue() {
        return !clock.instant().isBefore(lastSent.plus(keepalive));
    }

    /** How long a handler may wait for work before it must check the deadline or send a keepalive. */
    Duration waitTime() {
        Instant now = clock.instant();
        Instant wake = lastSent.plus(keepalive);
        if (deadline != null && deadline.isBefore(wake)) {
            wake = deadline;
        }
        Duration d = Duration.between(now, wake);
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }

    private void write(int flags, byte[] json) throws IOException {
        if (out == null) {
            res.setStatus(200);
            res.setContentType(CONTENT_TYPE);
            res.setHeader("Cache-Control", "no-store");
            out = res.getOutputStream();
        }
        byte[] prefix = {(byte) flags, (byte) (json.length >>> 24), (byte) (json.length >>> 16), (byte) (json.length >>> 8), (byte) json.length};
        out.write(prefix);
        out.write(json);
    }
}
