package io.airlock.core;

/** The isolation runtime failed to do something it should have been able to do. */
public class RuntimeFailureException extends AirlockException {
    public RuntimeFailureException(String message) {
        super(message);
    }

    public RuntimeFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
