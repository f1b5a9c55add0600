package io.airlock.server.envd;

/**
 * A data-plane request failed before reaching the sandbox: an HTTP status and a message safe to
 * show the client. Connect routes render it as a Connect error, REST routes as {@code {code, message}}.
 */
final class EnvdException extends RuntimeException {
    private final int status;
    private final String sandboxId;

    EnvdException(int status, String message) {
        this(status, message, "");
    }

    private EnvdException(int status, String message, String sandboxId) {
        super(message, null, false, false);
        this.status = status;
        this.sandboxId = sandboxId;
    }

    /** 502, as E2B's proxy answers for a sandbox that is not running. */
    static EnvdException badGateway(String sandboxId, String message) {
        return new EnvdException(502, message, sandboxId);
    }

    int status() {
        return status;
    }

    String sandboxId() {
        return sandboxId;
    }
}
