package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFileException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentErrorsTest {
    @ParameterizedTest
    @CsvSource({
        "2, NOT_FOUND",
        "17, ALREADY_EXISTS",
        "20, NOT_A_DIRECTORY",
        "21, IS_A_DIRECTORY",
        "13, PERMISSION_DENIED",
        "1, PERMISSION_DENIED",
        "28, NO_SPACE",
        "122, NO_SPACE",
        "36, INVALID_PATH",
        "40, INVALID_PATH",
        "5, IO_ERROR",
        "39, IO_ERROR",
    })
    void reason_errno_mapsToApiReason(int errno, Reason expected) {
        assertThat(AgentErrors.reason(new AgentErrors.Error(errno, "x"))).isEqualTo(expected);
    }

    @Test
    void reason_einvalNotRegular_isNotRegularFile() {
        assertThat(AgentErrors.reason(new AgentErrors.Error(AgentErrors.EINVAL, "not a regular file"))).isEqualTo(Reason.NOT_REGULAR_FILE);
    }

    @Test
    void reason_otherEinval_isInvalidPath() {
        assertThat(AgentErrors.reason(new AgentErrors.Error(AgentErrors.EINVAL, "path contains a NUL byte"))).isEqualTo(Reason.INVALID_PATH);
    }

    @Test
    void fileException_keepsPathAndAgentMessage() {
        SandboxFileException e = AgentErrors.fileException("/a/b", new AgentErrors.Error(2, "open /a/b: No such file or directory"));

        assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(e.path()).isEqualTo("/a/b");
        assertThat(e).hasMessage("/a/b: open /a/b: No such file or directory (errno 2)");
    }
}
