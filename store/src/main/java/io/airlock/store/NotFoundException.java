package io.airlock.store;

import io.airlock.core.AirlockException;

/** A tenant, key or record that a request names does not exist. */
public class NotFoundException extends AirlockException {
    private final String kind;
    private final String id;

    /**
     * @param kind what was looked for, e.g. {@code tenant} or {@code API key}
     * @param id the id that matched nothing
     */
    public NotFoundException(String kind, String id) {
        super(kind + " " + id + " does not exist");
        this.kind = kind;
        this.id = id;
    }

    /** What was looked for, e.g. {@code tenant}. */
    public String kind() {
        return kind;
    }

    /** The id that matched nothing. */
    public String id() {
        return id;
    }
}
