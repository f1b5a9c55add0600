package io.airlock.runtime;

import io.airlock.core.SandboxStateException;

/**
 * One operation multiplexed over an {@link AgentConnection}: a process, a file transfer, a watch
 * or a single request. The connection's reader thread hands it the frames of its channel in wire
 * order.
 */
interface AgentChannel {
    /**
     * Takes one frame. Runs on the connection's reader thread, so it must never block: data is
     * queued, never handed to a consumer synchronously.
     *
     * @return true once the channel has seen its last frame and can be forgotten
     */
    boolean onFrame(AgentFrame frame);

    /** The agent died: fail or end whatever is pending. Idempotent; may race with {@link #onFrame}. */
    void onDeath(SandboxStateException cause);
}
