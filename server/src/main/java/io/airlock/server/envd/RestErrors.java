package io.airlock.server.envd;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStateException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the data plane's REST routes fail: envd's {@code Error} shape {@code {code, message}} with a
 * status the SDK maps to the right error class. Messages name what is wrong and how to fix it;
 * nothing about the host (paths, stack traces) reaches the client.
 */
final class RestErrors {
    private static final Logger log = LoggerFactory.getLogger(RestErrors.class);
    private static final int MAX_MESSAGE = 1000;

    private RestErrors() {}

    static void send(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", status);
        body.put("message", message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message);
        ctx.status(status).json(body);
    }

    /**
     * Answers a failed request; if the response is already under way (a download failing midway),
     * aborts it instead, so the client sees a broken transfer rather than a short file.
     *
     * @param sandboxId the sandbox the request was for, or null if not yet known
     */
    static void handle(Context ctx, SandboxService sandboxes, @Nullable String sandboxId, Exception e) {
        if (ctx.res().isCommitted()) {
            abort(ctx, e);
            return;
        }
        ctx.res().reset();
        Reply r = reply(sandboxes, sandboxId, e);
        send(ctx, r.status, r.message);
    }

    /**
     * Breaks off a response whose status line is already sent, so the client sees a failed
     * transfer. Over HTTP/1 that means closing the connection before the final chunk (failing
     * Jetty's channel instead trips up Javalin's completion of the request).
     */
    static void abort(Context ctx, Throwable cause) {
        log.atDebug().addKeyValue("path", ctx.path()).setMessage("aborting a data-plane response: {}")
                .addArgument(cause.toString()).log();
        try {
            ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
            if (request.getConnectionMetaData().getHttpVersion().getVersion() < HttpVersion.HTTP_2.getVersion()) {
                request.getConnectionMetaData().getConnection().getEndPoint().close(cause);
            } else {
                request.getServletChannel().abort(cause);
            }
        } catch (RuntimeException e) {
            // not on Jetty's servlet channel: the response just ends short
        }
    }

    private record Reply(int status, String message) {}

    private static Reply reply(SandboxService sandboxes, @Nullable String sandboxId, Exception e) {
        Throwable upload = cause(e, UploadException.class);
        if (upload != null) {
            return new Reply(((UploadException) upload).status(), upload.getMessage());
        }
        return switch (e) {
            case EnvdException x -> new Reply(x.status(), x.getMessage());
            case SandboxFileException x -> new Reply(fileStatus(x), x.getMessage());
            case InvalidRequestException x -> new Reply(400, x.getMessage());
            case SandboxNotFoundException x -> notRunning(sandboxId);
            case SandboxStateException x -> stateReply(sandboxes, sandboxId, x);
            case RuntimeFailureException x -> {
                log.atWarn().setCause(x).addKeyValue("sandbox", sandboxId).log("data-plane call failed in the runtime");
                yield new Reply(503, "the sandbox's agent did not complete the request; try again");
            }
            case UncheckedIOException x -> bodyReply(x.getCause());
            case IOException x -> bodyReply(x);
            default -> {
                log.atError().setCause(e).addKeyValue("sandbox", sandboxId).log("unexpected error in a data-plane REST call");
                yield new Reply(500, "internal error; the server log has details");
            }
        };
    }

    private static Reply bodyReply(IOException e) {
        if (cause(e, ZipException.class) != null) {
            return new Reply(400, "Content-Encoding is gzip but the body is not valid gzip data");
        }
        return new Reply(400, "the request body could not be read to its end"
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static Reply stateReply(SandboxService sandboxes, @Nullable String sandboxId, SandboxStateException e) {
        if (sandboxId == null) {
            return new Reply(409, e.getMessage());
        }
        try {
            if (sandboxes.get(sandboxId).state() == Sandbox.State.PAUSED) {
                return new Reply(409, "sandbox " + sandboxId + " is paused; connect to it (Sandbox.connect) to resume it first");
            }
        } catch (SandboxNotFoundException gone) {
            return notRunning(sandboxId);
        }
        return notRunning(sandboxId);
    }

    private static Reply notRunning(@Nullable String sandboxId) {
        return new Reply(502, "sandbox " + (sandboxId == null ? "" : sandboxId + " ")
                + "is not running: it was killed, timed out, or never existed");
    }

    static int fileStatus(SandboxFileException e) {
        return switch (e.reason()) {
            case NOT_FOUND -> 404;
            case PERMISSION_DENIED -> 403;
            case NO_SPACE -> 507;
            case IO_ERROR -> e.getMessage().contains("cannot store metadata") ? 400 : 500;
            // the agent answers EINVAL for a user missing from /etc/passwd; envd answers 401
            case INVALID_PATH -> e.getMessage().contains("not found in /etc/passwd") ? 401 : 400;
            default -> 400;
        };
    }

    private static @Nullable Throwable cause(Throwable t, Class<? extends Throwable> type) {
        for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }
}
