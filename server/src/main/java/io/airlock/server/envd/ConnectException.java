package io.airlock.server.envd;

/**
 * A Connect RPC failed: a {@link ConnectCode} and a message safe to show the client (it names
 * what was wrong and how to fix it, and never carries a host path or stack trace).
 */
final class ConnectException extends RuntimeException {
    private final ConnectCode code;

    ConnectException(ConnectCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    ConnectCode code() {
        return code;
    }

    static ConnectException invalidArgument(String message) {
        return new ConnectException(ConnectCode.INVALID_ARGUMENT, message);
    }

    static ConnectException notFound(String message) {
        return new ConnectException(ConnectCode.NOT_FOUND, message);
    }

    static ConnectException permissionDenied(String message) {
        return new ConnectException(ConnectCode.PERMISSION_DENIED, message);
    }

    static ConnectException failedPrecondition(String message) {
        return new ConnectException(ConnectCode.FAILED_PRECONDITION, message);
    }
}
