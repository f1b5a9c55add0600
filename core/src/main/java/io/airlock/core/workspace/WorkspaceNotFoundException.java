package io.airlock.core.workspace;

import io.airlock.core.AirlockException;

/** No workspace of that name for this tenant (or no such version). */
public class WorkspaceNotFoundException extends AirlockException {
    public WorkspaceNotFoundException(String message) {
        super(message);
    }
}
