package io.airlock.core;

import java.nio.file.Path;

/**
 * A size-capped, memory-backed directory on the host (a tmpfs of its own), for a workspace
 * checkout: its limits are the kernel's, and nothing in it ever reaches persistent disk.
 * {@link #close()} unmounts it and discards the content; idempotent.
 */
public interface ScratchVolume extends AutoCloseable {
    Path path();

    @Override
    void close();
}
