package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.SandboxStateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class AgentCallTest {
    private final AgentCall call = new AgentCall(t -> t == AgentFrame.FS_END, 3, () -> new IllegalStateException("too many"));

    @Test
    void onFrame_terminal_completesWithAllFrames() {
        assertThat(call.onFrame(entry())).isFalse();
        assertThat(call.onFrame(entry())).isFalse();
        assertThat(call.onFrame(AgentFrame.of(AgentFrame.FS_END, 1))).isTrue();

        assertThat(call.result()).isCompleted();
        assertThat(call.result().join()).extracting(AgentFrame::type)
                .containsExactly(AgentFrame.FS_ENTRY, AgentFrame.FS_ENTRY, AgentFrame.FS_END);
    }

    @Test
    void onFrame_error_completesWithTheError() {
        assertThat(call.onFrame(new AgentEncoder().u32(2).str("gone").frame(AgentFrame.ERROR, 1))).isTrue();

        assertThat(call.result().join()).extracting(AgentFrame::type).containsExactly(AgentFrame.ERROR);
    }

    @Test
    void onFrame_beyondTheCap_failsAtOnceAndDrainsUntilTheEnd() {
        List.of(entry(), entry(), entry()).forEach(call::onFrame);

        assertThat(call.onFrame(entry())).isFalse();
        assertThat(call.result()).isCompletedExceptionally();
        assertThat(call.onFrame(entry())).isFalse();
        assertThat(call.onFrame(AgentFrame.of(AgentFrame.FS_END, 1))).isTrue();
        assertThat(call.result()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("too many");
    }

    @Test
    void onDeath_pending_failsWithTheCause() {
        call.onDeath(new SandboxStateException("sandbox s is no longer running"));

        assertThat(call.result()).isCompletedExceptionally();
    }

    private static AgentFrame entry() {
        return AgentFrame.of(AgentFrame.FS_ENTRY, 1);
    }
}
