package io.airlock.core;

import java.time.Duration;
import java.util.Optional;

/** A live watch on a directory inside a sandbox. */
public interface FileWatch extends AutoCloseable {
    /**
     * The next event, waiting up to {@code timeout}.
     *
     * @return empty if none arrived in time
     * @throws SandboxStateException once the sandbox has died
     */
    Optional<FileEvent> next(Duration timeout) throws InterruptedException;

    /** Stops watching. Idempotent. */
    @Override
    void close();
}
