package io.airlock.core;

/** A create would take an owner over its concurrent-sandbox quota. */
public class QuotaExceededException extends AirlockException {
    public QuotaExceededException(String owner, int limit) {
        super("tenant " + owner + " already has " + limit + " sandbox" + (limit == 1 ? "" : "es")
                + " alive, its concurrency limit; kill one or ask the operator to raise the limit");
    }
}
