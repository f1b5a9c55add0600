package io.airlock.core;

/** A request that cannot be served as written: names the offending field and how to fix it. */
public class InvalidRequestException extends AirlockException {
    private final String field;

    public InvalidRequestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code resources.memoryMB}. */
    public String field() {
        return field;
    }
}
