package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Connect protocol over HTTP/1.1 with the JSON codec, as the E2B SDKs speak it to envd:
 * routes {@code POST /<package>.<Service>/<Method>}, checks the protocol headers, reads the
 * request message, and writes the answer or the error.
 *
 * <ul>
 *   <li>Unary: request and response are {@code application/json} messages; an error is the HTTP
 *       status of its code with {@code {"code": "...", "message": "..."}}.
 *   <li>Server streaming: the request is one enveloped message in {@code application/connect+json};
 *       the response is a {@link ConnectStream}, errors go in its end-stream message under HTTP 200.
 *   <li>{@code Connect-Timeout-Ms} sets the call's deadline (0 or absent: none);
 *       {@code Keepalive-Ping-Interval} (seconds) how often an idle stream sends a keepalive,
 *       never less often than every {@link #MAX_KEEPALIVE}.
 *   <li>Request bodies are capped at {@link #MAX_REQUEST_BYTES}; no compression is negotiated.
 * </ul>
 *
 * <p>Access is checked first. Two errors are not Connect errors, because in E2B they come from in front of envd: a sandbox
 * that is not running is HTTP 502 {@code {"code": 502, "message": ...}} (E2B's proxy), and a
 * missing or wrong access token is HTTP 401 (envd's auth middleware, before Connect), here with a
 * Connect error body so unary clients also read {@code unauthenticated}.
 */
final class Connect {
    static final int MAX_REQUEST_BYTES = 4 << 20;
    static final Duration MAX_KEEPALIVE = Duration.ofSeconds(15);
    static final String JSON = "application/json";
    private static final Logger log = LoggerFactory.getLogger(Connect.class);

    /** A unary method: the request message in, the response message out. */
    interface Unary {
        ObjectNode handle(EnvdCall call, ProtoReader request) throws Exception;
    }

    /** A server-streaming method: sends messages on the stream; returning ends it successfully. */
    interface ServerStream {
        void handle(EnvdCall call, ProtoReader request, ConnectStream stream) throws Exception;
    }

    private final InstantSource clock;
    private final Function<Context, EnvdCall> access;

    /**
     * @param access resolves a request's sandbox and user and checks its access token; it runs
     *     first, before any protocol check, as envd's authentication runs before Connect
     */
    Connect(InstantSource clock, Function<Context, EnvdCall> access) {
        this.clock = clock;
        this.access = access;
    }

    void unary(RoutesConfig r, String service, String method, Unary handler) {
        String rpc = service + "/" + method;
        r.post("/" + rpc, ctx -> {
            try {
                EnvdCall call = access.apply(ctx);
                requireContentType(ctx, JSON, "unary");
                checkProtocolHeaders(ctx, "Content-Encoding");
                deadline(ctx);
                ObjectNode answer = handler.handle(call, ProtoReader.root(ProtoJson.parse(body(ctx, 0))));
                write(ctx, 200, JSON, ProtoJson.bytes(answer));
            } catch (UnsupportedType e) {
                ctx.res().setHeader("Accept-Post", JSON);
                write(ctx, 415, JSON, errorBody(ConnectCode.INVALID_ARGUMENT, e.getMessage()));
            } catch (EnvdException e) {
                proxyError(ctx, e, rpc);
            } catch (IOException | UncheckedIOException e) {
                log.atDebug().addKeyValue("rpc", rpc).log("the client went away: {}", e.toString());
            } catch (Exception e) {
                ConnectException c = ConnectErrors.from(e, rpc);
                write(ctx, c.code().httpStatus(), JSON, errorBody(c.code(), c.getMessage()));
            }
        });
    }

    void serverStream(RoutesConfig r, String service, String method, ServerStream handler) {
        String rpc = service + "/" + method;
        r.post("/" + rpc, ctx -> {
            ConnectStream stream = null;
            try {
                EnvdCall call = access.apply(ctx);
                requireContentType(ctx, ConnectStream.CONTENT_TYPE, "server-streaming");
                checkProtocolHeaders(ctx, "Connect-Content-Encoding");
                stream = new ConnectStream(ctx.req(), ctx.res(), clock, deadline(ctx), keepalive(ctx));
                handler.handle(call, ProtoReader.root(ProtoJson.parse(unenvelope(body(ctx, 5)))), stream);
                stream.end(null);
            } catch (UnsupportedType e) {
                ctx.res().setHeader("Accept-Post", ConnectStream.CONTENT_TYPE);
                write(ctx, 415, JSON, errorBody(ConnectCode.INVALID_ARGUMENT, e.getMessage()));
            } catch (EnvdException e) {
                proxyError(ctx, e, rpc);
            } catch (IOException | UncheckedIOException e) {
                log.atDebug().addKeyValue("rpc", rpc).log("the client went away mid-stream: {}", e.toString());
            } catch (Exception e) {
                endWithError(stream != null ? stream : bareStream(ctx), ConnectErrors.from(e, rpc), rpc);
            }
        });
    }

    /** A stream for answering an error before the call's own stream exists. */
    private ConnectStream bareStream(Context ctx) {
        return new ConnectStream(ctx.req(), ctx.res(), clock, null, MAX_KEEPALIVE);
    }

    private static void endWithError(ConnectStream stream, ConnectException error, String rpc) {
        if (stream.ended()) {
            return;
        }
        try {
            stream.end(error);
        } catch (IOException e) {
            log.atDebug().addKeyValue("rpc", rpc).log("could not send the end of stream: the client went away");
        }
    }

    /** A 502 for a sandbox that is not running (as E2B's proxy); 401 as envd's auth; others as Connect errors. */
    private void proxyError(Context ctx, EnvdException e, String rpc) {
        if (e.status() == 502) {
            ObjectNode body = ProtoJson.object();
            body.put("code", 502);
            body.put("message", e.getMessage());
            body.put("sandboxId", e.sandboxId());
            write(ctx, 502, JSON, ProtoJson.bytes(body));
            return;
        }
        ConnectException c = ConnectErrors.from(e, rpc);
        if (e.status() == 401 || !isStream(ctx)) {
            write(ctx, e.status() == 401 ? 401 : c.code().httpStatus(), JSON, errorBody(c.code(), c.getMessage()));
            return;
        }
        endWithError(bareStream(ctx), c, rpc);
    }

    private static boolean isStream(Context ctx) {
        return mediaType(ctx.header("Content-Type")).equals(ConnectStream.CONTENT_TYPE);
    }

    static byte[] errorBody(ConnectCode code, String message) {
        ObjectNode o = ProtoJson.object();
        o.put("code", code.wire());
        o.put("message", message);
        return ProtoJson.bytes(o);
    }

    /** Writes a whole response; a client that went away is only logged. */
    private static void write(Context ctx, int status, String contentType, byte[] body) {
        var res = ctx.res();
        try {
            res.setStatus(status);
            res.setContentType(contentType);
            res.setContentLength(body.length);
            res.getOutputStream().write(body);
            res.getOutputStream().flush();
        } catch (IOException | UncheckedIOException e) {
            log.atDebug().addKeyValue("path", ctx.path()).log("the client went away before the answer: {}", e.toString());
        }
    }

    // ---- request checks ----

    /** Thrown for a Content-Type this service does not speak: answered 415 before any Connect processing. */
    private static final class UnsupportedType extends Exception {
        UnsupportedType(String message) {
            super(message, null, false, false);
        }
    }

    private static void requireContentType(Context ctx, String expected, String kind) throws UnsupportedType {
        String header = ctx.header("Content-Type");
        String type = mediaType(header);
        if (!type.equals(expected)) {
            String hint = type.endsWith("proto") ? "; this server speaks only the JSON codec" : "";
            throw new UnsupportedType("Content-Type '" + (header == null ? "" : abbreviate(header)) + "' is not supported for this "
                    + kind + " Connect method: send '" + expected + "'" + hint);
        }
        String params = header.substring(header.indexOf(';') < 0 ? header.length() : header.indexOf(';'));
        for (String p : params.split(";")) {
            String[] kv = p.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")
                    && !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                throw new UnsupportedType("charset '" + abbreviate(kv[1].trim()) + "' is not supported: Connect JSON is UTF-8");
            }
        }
    }

    private static String mediaType(@Nullable String header) {
        if (header == null) {
            return "";
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static void checkProtocolHeaders(Context ctx, String encodingHeader) {
        String version = ctx.header("Connect-Protocol-Version");
        if (version != null && !version.trim().equals("1")) {
            throw ConnectException.invalidArgument("Connect-Protocol-Version must be 1, got '" + abbreviate(version) + "'");
        }
        String encoding = ctx.header(encodingHeader);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new ConnectException(ConnectCode.UNIMPLEMENTED, encodingHeader + " '" + abbreviate(encoding)
                    + "' is not supported: send requests uncompressed (identity)");
        }
    }

    /** The call's deadline from {@code Connect-Timeout-Ms}: 1 to 10 digits of milliseconds; 0 means none. */
    private @Nullable Instant deadline(Context ctx) {
        String header = ctx.header("Connect-Timeout-Ms");
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.trim();
        if (!v.matches("[0-9]{1,10}")) {
            throw ConnectException.invalidArgument("Connect-Timeout-Ms must be a whole number of milliseconds (at most 10 digits), got '"
                    + abbreviate(header) + "'");
        }
        long ms = Long.parseLong(v);
        return ms == 0 ? null : clock.instant().plusMillis(ms);
    }

    /** {@code Keepalive-Ping-Interval} in seconds, at least 1 and at most {@link #MAX_KEEPALIVE}. */
    private static Duration keepalive(Context ctx) {
        String header = ctx.header("Keepalive-Ping-Interval");
        if (header != null && header.trim().matches("[0-9]{1,9}")) {
            Duration d = Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim())));
            return d.compareTo(MAX_KEEPALIVE) < 0 ? d : MAX_KEEPALIVE;
        }
        return MAX_KEEPALIVE;
    }

    /** The request body, at most {@link #MAX_REQUEST_BYTES} plus {@code overhead}. */
    private static byte[] body(Context ctx, int overhead) throws IOException {
        long limit = MAX_REQUEST_BYTES + (long) overhead;
        String tooLarge = "the request is larger than " + (MAX_REQUEST_BYTES >> 20) + " MiB; send less per call"
                + " (e.g. stdin in smaller pieces)";
        if (ctx.req().getContentLengthLong() > limit) {
            throw tooLarge(ctx, tooLarge);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] data = in.readNBytes((int) limit + 1);
            if (data.length > limit) {
                throw tooLarge(ctx, tooLarge);
            }
            return data;
        }
    }

    /**
     * The rest of the body is not read, so the connection cannot carry another request: say so
     * in the answer, or a keep-alive client would send its next call down a closing connection.
     */
    private static ConnectException tooLarge(Context ctx, String message) {
        ctx.res().setHeader("Connection", "close");
        return ConnectException.invalidArgument(message);
    }

    /** The one message of a server-streaming request, out of its envelope. */
    static byte[] unenvelope(byte[] body) {
        if (body.length < 5) {
            throw ConnectException.invalidArgument("a server-streaming request body must be one enveloped message: a flag byte, a 4-byte"
                    + " big-endian length, then the JSON message; got " + body.length + " bytes");
        }
        int flags = body[0] & 0xFF;
        if ((flags & ~0x01) != 0) {
            throw ConnectException.invalidArgument("the request envelope has flags 0x" + Integer.toHexString(flags)
                    + "; a request message has flags 0 (is the body enveloped at all?)");
        }
        if (flags != 0) {
            throw new ConnectException(ConnectCode.UNIMPLEMENTED, "the request message is flagged compressed, but no compression was"
                    + " negotiated; send it uncompressed");
        }
        long length = ((body[1] & 0xFFL) << 24) | ((body[2] & 0xFFL) << 16) | ((body[3] & 0xFFL) << 8) | (body[4] & 0xFFL);
        if (length != body.length - 5) {
            throw ConnectException.invalidArgument("the request envelope declares " + length + " bytes but " + (body.length - 5)
                    + " follow it; send exactly one message");
        }
        byte[] json = new byte[body.length - 5];
        System.arraycopy(body, 5, json, 0, json.length);
        return json;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
