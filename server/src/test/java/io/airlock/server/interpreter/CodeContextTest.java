package io.airlock.server.interpreter;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CodeContextTest {
    @Test
    void aRemovedContextNeverStartsAnotherKernel() {
        // regression: a request that found the context before its removal started a kernel nobody tracked
        CodeContext c = new CodeContext("c1", Language.PYTHON, "/home/user", context -> {
            throw new AssertionError("a removed context started a kernel");
        });
        c.remove("the context was removed");
        assertThatThrownBy(() -> c.kernel())
                .isInstanceOfSatisfying(InterpreterException.class, e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(404))
                .hasMessageContaining("was removed");
    }
}
