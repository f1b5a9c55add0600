package io.airlock.core;

/** A template build failed; the message carries the tail of the build log. */
public class TemplateBuildException extends AirlockException {
    public TemplateBuildException(String message) {
        super(message);
    }

    public TemplateBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
