package io.airlock.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves only when a test advances it. */
public final class FakeClock implements InstantSource {
    private final AtomicReference<Instant> now;

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public static FakeClock create() {
        return new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}
