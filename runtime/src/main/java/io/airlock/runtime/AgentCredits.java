package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Returns credit to the agent and counts the output bytes the host holds.
 *
 * <p>Credit is granted from a thread of its own: the connection's reader thread must never write
 * to the agent (if the agent were blocked writing to us while we were blocked writing to it, both
 * would wait forever), and grants are coalesced per channel so a slow trickle of small reads
 * does not become a trickle of frames.
 *
 * <p>{@link #buffered()} is the number of data bytes received from the agent that no consumer has
 * taken yet; credit bounds it by one window per open channel.
 */
final class AgentCredits {
    private final Map<Integer, Long> pending = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Consumer<AgentFrame> sender;
    private final Thread thread;

    /** Starts the granting thread; {@code sender} writes a frame to the agent. */
    AgentCredits(String name, Consumer<AgentFrame> sender) {
        this.sender = sender;
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** {@code n} bytes of data arrived and are now held. */
    void received(long n) {
        peak.accumulateAndGet(buffered.addAndGet(n), Math::max);
    }

    /**
     * {@code n} held bytes were consumed or dropped; when {@code grant}, the agent may send them
     * again on {@code chan}. Never blocks.
     */
    void released(int chan, long n, boolean grant) {
        if (n <= 0) {
            return;
        }
        buffered.addAndGet(-n);
        if (grant) {
            pending.merge(chan, n, Long::sum);
            wake.release();
        }
    }

    long buffered() {
        return buffered.get();
    }

    /** The largest value {@link #buffered()} has had. */
    long peak() {
        return peak.get();
    }

    void stop() {
        thread.interrupt();
    }

    private void run() {
        try {
            while (true) {
                wake.acquire();
                wake.drainPermits();
                for (Integer chan : pending.keySet()) {
                    Long n = pending.remove(chan);
                    if (n != null) {
                        grant(chan, n);
                    }
                }
            }
        } catch (InterruptedException | SandboxStateException e) {
            // the connection is closing or dead; nobody needs credit any more
        }
    }

    private void grant(int chan, long n) {
        try {
            sender.accept(new AgentEncoder().u32(n).frame(AgentFrame.CREDIT, chan));
        } catch (RuntimeFailureException e) {
            // the agent is not reading its input right now; keep the credit and try again
            pending.merge(chan, n, Long::sum);
            wake.release();
        }
    }
}
