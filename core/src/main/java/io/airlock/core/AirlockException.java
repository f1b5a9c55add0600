package io.airlock.core;

/** The root of every exception Airlock's server side throws on purpose. Unchecked. */
public class AirlockException extends RuntimeException {
    public AirlockException(String message) {
        super(message);
    }

    public AirlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
