package io.airlock.core;

/** Receives progress of a template build. Called from the building thread. */
@FunctionalInterface
public interface BuildProgress {
    /**
     * One step of progress.
     *
     * @param fraction overall progress in {@code [0, 1]}, or {@code -1} when unknown
     * @param message what is happening, one line
     */
    void update(double fraction, String message);

    /** Ignores progress. */
    BuildProgress NONE = (f, m) -> {};
}
