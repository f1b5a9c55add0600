package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Turns what the server answered into the SDK's exceptions, in one place. Messages start with what
 * was asked ({@code what}, e.g. "read /tmp/a.txt in sandbox ibx1"), then what the server said,
 * then the HTTP status.
 */
final class Errors {
    private Errors() {}

    /**
     * The exception for an error answer. The body is the control plane's {@code {code, message, field}},
     * envd's {@code {code, message}}, or a Connect error {@code {code: "not_found", message}}.
     *
     * @param dataPlane whether the request went to a sandbox (a 502 then means the sandbox is gone,
     *     a 403 a file permission rather than the API key)
     */
    static AirlockException of(int status, JsonNode body, String what, boolean dataPlane) {
        String message = body.isTextual() ? body.asText() : Json.text(body, "message");
        JsonNode code = body.path("code");
        if (code.isTextual()) {
            return connect(code.asText(), message, what, status);
        }
        String text = what + ": " + (message.isEmpty() ? "no details" : message) + " (HTTP " + status + ")";
        switch (status) {
            case 400:
                String field = Json.text(body, "field");
                return new InvalidRequestException(text, status, field.isEmpty() ? null : field);
            case 401:
                return new AuthenticationException(text, status);
            case 403:
                return dataPlane ? new SandboxException(text, status) : new AuthenticationException(text, status);
            case 404:
                return new NotFoundException(text, status);
            case 409:
                return new ConflictException(text, status);
            case 429:
                return new RateLimitException(text, status);
            case 502:
                return dataPlane ? new NotFoundException(text, status) : new SandboxException(text, status);
            default:
                return new SandboxException(text, status);
        }
    }

    /** The exception for a Connect error code, from a unary answer or a stream's end message. */
    static AirlockException connect(String code, String message, String what, int status) {
        String text = what + ": " + message + " (" + code + ")";
        switch (code) {
            case "not_found":
                return new NotFoundException(text, status);
            case "invalid_argument":
            case "failed_precondition":
            case "out_of_range":
                return new InvalidRequestException(text, status, null);
            case "unauthenticated":
                return new AuthenticationException(text, status);
            case "already_exists":
            case "aborted":
                return new ConflictException(text, status);
            case "deadline_exceeded":
                return new TimeoutException(text, Duration.ZERO, null);
            default:
                return new SandboxException(text, status);
        }
    }

    /** The exception for a request that got no answer. */
    static AirlockException io(IOException e, String what, Duration timeout) {
        if (e instanceof HttpTimeoutException) {
            return new TimeoutException(what + ": no answer within " + timeout.toMillis() + " ms (the client's request timeout)", timeout, e);
        }
        return new SandboxException(what + ": the connection to the server failed: " + e, 0, e);
    }

    /** Re-interrupts the thread and reports the interrupted call. */
    static AirlockException interrupted(InterruptedException e, String what) {
        Thread.currentThread().interrupt();
        return new SandboxException(what + ": interrupted while waiting", 0, e);
    }
}
