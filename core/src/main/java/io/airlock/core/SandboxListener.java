package io.airlock.core;

/**
 * Told of every sandbox's birth and death, e.g. to keep a durable record. Calls happen on the
 * thread that caused the change; implementations must be quick and must not throw.
 */
public interface SandboxListener {
    /** A sandbox was created and handed to its caller. */
    void created(Sandbox sandbox);

    /** A sandbox is gone: killed, expired, or its init died. */
    void ended(String id, String reason);

    /** Listens to nothing. */
    static SandboxListener none() {
        return new SandboxListener() {
            @Override
            public void created(Sandbox sandbox) {}

            @Override
            public void ended(String id, String reason) {}
        };
    }
}
