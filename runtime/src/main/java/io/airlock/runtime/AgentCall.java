package io.airlock.runtime;

import io.airlock.core.SandboxStateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A request answered by a run of frames: collects them until a terminal type or ERROR, then
 * completes {@link #result()} with all of them (the last one is the terminal frame).
 *
 * <p>Answers such as FS_LIST carry no credit, so the run is capped: past {@code maxFrames} the
 * result fails with {@code tooMany} at once, and later frames are dropped until the terminal one.
 */
final class AgentCall implements AgentChannel {
    private final IntPredicate terminal;
    private final int maxFrames;
    private final Supplier<RuntimeException> tooMany;
    private final List<AgentFrame> frames = new ArrayList<>();
    private final CompletableFuture<List<AgentFrame>> result = new CompletableFuture<>();

    AgentCall(IntPredicate terminal, int maxFrames, Supplier<RuntimeException> tooMany) {
        this.terminal = terminal;
        this.maxFrames = maxFrames;
        this.tooMany = tooMany;
    }

    CompletableFuture<List<AgentFrame>> result() {
        return result;
    }

    @Override
    public boolean onFrame(AgentFrame frame) {
        boolean last = frame.type() == AgentFrame.ERROR || terminal.test(frame.type());
        if (result.isDone()) {
            return last;
        }
        if (frames.size() == maxFrames) {
            frames.clear();
            result.completeExceptionally(tooMany.get());
            return last;
        }
        frames.add(frame);
        if (last) {
            result.complete(List.copyOf(frames));
        }
        return last;
    }

    @Override
    public void onDeath(SandboxStateException cause) {
        result.completeExceptionally(cause);
    }
}
