package io.airlock.core;

import java.time.Duration;
import java.util.Optional;

/** One reader's view of a process's output. Not thread-safe: one consumer thread per reader. */
public interface ProcessOutput extends AutoCloseable {
    /**
     * The next chunk, waiting up to {@code timeout}.
     *
     * @return empty if nothing arrived in time; a chunk of kind {@link OutputChunk.Kind#END}, and
     *     then the same again forever, once the process has exited and its output is drained
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<OutputChunk> next(Duration timeout) throws InterruptedException;

    /** Detaches this reader; its unread output is dropped. Idempotent. */
    @Override
    void close();
}
