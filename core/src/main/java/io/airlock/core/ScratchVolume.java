package io.airlock.core;

import java.nio.file.Path;

/**
 * A size-capped, memory-backed directory on the host (a tmpfs of its own), for a workspace
 * checkout: its limits are the kernel's, and nothing in it ever reaches persistent disk.
 * {@link #close()} unmounts it and discards the content; idempotent.
 */
public interface ScratchVolume extends AutoCloseable {
    Path path();

    /** What its creator said it holds ({@link #label}); empty if nothing. */
    default java.util.Map<String, String> labels() {
        return java.util.Map.of();
    }

    /**
     * Replaces the labels: kept beside the volume (never inside it, where a sandbox could change
     * them), so that a volume a crashed server left behind can be recognised and salvaged.
     */
    default void label(java.util.Map<String, String> labels) {
        throw new UnsupportedOperationException("this volume takes no labels");
    }

    @Override
    void close();
}
