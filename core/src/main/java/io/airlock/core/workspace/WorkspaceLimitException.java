package io.airlock.core.workspace;

import io.airlock.core.AirlockException;

/** A tree beyond the workspace limits; nothing of it was committed. */
public class WorkspaceLimitException extends AirlockException {
    public WorkspaceLimitException(String message) {
        super(message);
    }
}
