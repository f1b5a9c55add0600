package io.airlock.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.QuotaExceededException;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxStateException;
import io.airlock.core.TemplateNotFoundException;
import io.airlock.core.crypto.IntegrityException;
import io.airlock.core.secrets.SecretNotFoundException;
import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceNotFoundException;
import io.airlock.server.auth.ForbiddenException;
import io.airlock.server.auth.UnauthenticatedException;
import io.airlock.store.NotFoundException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every exception to one JSON error shape, in one place. Unexpected exceptions are logged
 * with their stack trace and answered with a generic 500 that leaks no host detail.
 */
public final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {}

    static void install(RoutesConfig routes) {
        routes.exception(InvalidRequestException.class, (e, ctx) -> send(ctx, 400, e.getMessage(), e.field()));
        routes.exception(WorkspaceNotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage(), null));
        routes.exception(WorkspaceLimitException.class, (e, ctx) -> send(ctx, 413, e.getMessage()
                + "; remove files, or split the work across workspaces", null));
        routes.exception(SandboxNotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage(), null));
        routes.exception(TemplateNotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage(), "template"));
        routes.exception(SecretNotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage(), null));
        routes.exception(IntegrityException.class, (e, ctx) -> {
            log.atError().addKeyValue("path", ctx.path()).log("stored ciphertext failed authentication: {}", e.getMessage());
            send(ctx, 500, e.getMessage(), null);
        });
        routes.exception(NotFoundException.class, (e, ctx) -> send(ctx, 404, e.getMessage(), null));
        routes.exception(QuotaExceededException.class, (e, ctx) -> send(ctx, 429, e.getMessage(), null));
        routes.exception(UnauthenticatedException.class, (e, ctx) -> send(ctx, 401, e.getMessage(), null));
        routes.exception(ForbiddenException.class, (e, ctx) -> send(ctx, 403, e.getMessage(), null));
        routes.exception(SandboxStateException.class, (e, ctx) -> send(ctx, 409, e.getMessage(), null));
        routes.exception(SandboxFileException.class, (e, ctx) -> send(ctx, fileStatus(e), e.getMessage(), "path"));
        routes.exception(JsonProcessingException.class, (e, ctx) -> jsonError(e, ctx));
        routes.exception(HttpResponseException.class, (e, ctx) -> send(ctx, e.getStatus(), e.getMessage(), null));
        routes.exception(Exception.class, (e, ctx) -> {
            log.atError().setCause(e).addKeyValue("path", ctx.path()).log("unexpected error");
            send(ctx, 500, "internal error; the server log has details", null);
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null) {
                send(ctx, 404, "no route for " + ctx.method() + " " + ctx.path(), null);
            }
        });
        routes.error(405, ctx -> send(ctx, 405, ctx.method() + " is not allowed on " + ctx.path(), null));
    }

    static void send(Context ctx, int status, String message, String field) {
        ctx.status(status).json(new ApiError(status, message, field));
    }

    private static int fileStatus(SandboxFileException e) {
        return switch (e.reason()) {
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS -> 409;
            case PERMISSION_DENIED -> 403;
            case NO_SPACE -> 507;
            case IO_ERROR -> 500;
            default -> 400;
        };
    }

    private static void jsonError(JsonProcessingException e, Context ctx) {
        String field = jsonField(e);
        send(ctx, 400, jsonMessage(e), field);
    }

    /** The field a JSON body problem is about, or null when it is the body as a whole. */
    private static @Nullable String jsonField(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return u.getPropertyName();
        }
        if (e instanceof MismatchedInputException m) {
            String field = path(m);
            return field.isEmpty() ? null : field;
        }
        return null;
    }

    /** A client-facing description of a JSON body problem: which field, and what was expected. */
    public static String jsonMessage(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'; known fields: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
        } else if (e instanceof InvalidFormatException f) {
            return "field '" + path(f) + "' has the wrong type: expected " + f.getTargetType().getSimpleName();
        } else if (e instanceof MismatchedInputException m) {
            String field = path(m);
            return field.isEmpty() ? "request body must be a JSON object" : "field '" + field + "' has the wrong type";
        }
        return "malformed JSON: " + e.getOriginalMessage();
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
