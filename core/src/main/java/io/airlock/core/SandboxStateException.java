package io.airlock.core;

/** The sandbox exists but is in a state that does not allow the operation (e.g. exec while paused). */
public class SandboxStateException extends AirlockException {
    public SandboxStateException(String message) {
        super(message);
    }
}
