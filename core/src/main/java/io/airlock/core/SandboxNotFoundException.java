package io.airlock.core;

/** No sandbox with this id exists (or it is not visible to the caller). */
public class SandboxNotFoundException extends AirlockException {
    public SandboxNotFoundException(String id) {
        super("sandbox '" + id + "' not found");
    }
}
