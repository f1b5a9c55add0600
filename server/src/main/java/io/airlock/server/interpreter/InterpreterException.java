package io.airlock.server.interpreter;

/**
 * A code-interpreter request failed before any output was streamed: an HTTP status and a message
 * safe to show the client (it names what is wrong and how to fix it, nothing about the host).
 */
final class InterpreterException extends RuntimeException {
    private final int status;

    InterpreterException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static InterpreterException badRequest(String message) {
        return new InterpreterException(400, message);
    }
}
