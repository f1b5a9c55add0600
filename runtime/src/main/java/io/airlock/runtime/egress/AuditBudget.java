package io.airlock.runtime.egress;

/**
 * How many audit events one sandbox may write: a token bucket ({@link #BURST} at once,
 * {@link #PER_SECOND} a second after that). A sandbox flooding DNS questions or refused
 * connections cannot bury its own later events or fill the shared audit queue; what it loses
 * is counted and recorded as one summary event when there is budget again.
 */
final class AuditBudget {
    static final int BURST = 1000;
    static final int PER_SECOND = 200;

    private double tokens = BURST;
    private long last = System.nanoTime();
    private long suppressed;

    /** Whether one more event may be recorded; if not, it is counted as suppressed. */
    synchronized boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(BURST, tokens + (now - last) / 1e9 * PER_SECOND);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Events suppressed since the last call, resetting the count. */
    synchronized long drainSuppressed() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
