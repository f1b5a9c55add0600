package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The vault through the SDK, against the real server: set, use in sandboxes and commands, masked output, audit. */
@Timeout(180)
class SecretsTest {
    private final AirlockClient client = TestAirlock.shared().client();

    private static String reversed(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    @Test
    void set_list_get_delete_neverShowTheValue() {
        SecretInfo set = client.secrets().set("SDK_ROUND_TRIP", "sdk-round-trip-8812");

        assertThat(set.name()).isEqualTo("SDK_ROUND_TRIP");
        assertThat(client.secrets().list()).extracting(SecretInfo::name).contains("SDK_ROUND_TRIP");
        assertThat(client.secrets().get("SDK_ROUND_TRIP").createdAt()).isEqualTo(set.createdAt());
        assertThat(client.secrets().list().toString()).doesNotContain("sdk-round-trip-8812");
        client.secrets().delete("SDK_ROUND_TRIP");
        assertThatThrownBy(() -> client.secrets().get("SDK_ROUND_TRIP")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void set_tooShort_isAnInvalidRequest() {
        assertThatThrownBy(() -> client.secrets().set("SDK_SHORT", "abc"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least 4 bytes");
    }

    @Test
    void sandboxSecrets_reachCommands_maskedInResultAndCallbacks_andAudited() {
        String value = "sdk-sandbox-wide-5150";
        client.secrets().set("SDK_SBX", value);
        List<String> chunks = new ArrayList<>();
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().secrets("SDK_SBX").timeout(Duration.ofMinutes(2)).build())) {
            CommandResult echoed = sbx.commands().run("echo \"$SDK_SBX\"",
                    RunOptions.builder().onStdout(chunks::add).build());
            CommandResult rev = sbx.commands().run("printf %s \"$SDK_SBX\" | rev");

            assertThat(echoed.stdout()).isEqualTo("***\n");
            assertThat(String.join("", chunks)).isEqualTo("***\n");
            assertThat(rev.stdout()).isEqualTo(reversed(value));
            assertThat(client.secrets().uses("SDK_SBX", 10)).first()
                    .satisfies(u -> {
                        assertThat(u.sandboxId()).isEqualTo(sbx.sandboxId());
                        assertThat(u.scope()).isEqualTo("sandbox");
                    });
        }
    }

    @Test
    void commandSecrets_reachOnlyThatCommand() {
        String value = "sdk-one-command-6161";
        client.secrets().set("SDK_CMD", value);
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().timeout(Duration.ofMinutes(2)).build())) {
            CommandResult with = sbx.commands().run("printf %s \"$SDK_CMD\" | rev; echo; echo \"$SDK_CMD\"",
                    RunOptions.builder().secrets("SDK_CMD").build());
            CommandResult without = sbx.commands().run("echo \"[$SDK_CMD]\"");

            assertThat(with.stdout()).isEqualTo(reversed(value) + "\n***\n");
            assertThat(without.stdout()).isEqualTo("[]\n");
            assertThat(client.secrets().uses("SDK_CMD", 1)).first().satisfies(u -> {
                assertThat(u.scope()).isEqualTo("command");
                assertThat(u.actor()).startsWith("key:");
            });
        }
    }

    @Test
    void runCode_outputAndErrors_areMasked() {
        String value = "sdk-interpreter-7272";
        client.secrets().set("SDK_CODE", value);
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().template("code-interpreter").secrets("SDK_CODE")
                .timeout(Duration.ofMinutes(2)).build())) {
            Execution printed = sbx.runCode("import os; print(os.environ['SDK_CODE']); print(os.environ['SDK_CODE'][::-1])");
            Execution failed = sbx.runCode("import os; raise ValueError(os.environ['SDK_CODE'])");
            Execution result = sbx.runCode("import os; os.environ['SDK_CODE']");

            assertThat(String.join("", printed.logs().stdout())).isEqualTo("***\n" + reversed(value) + "\n");
            assertThat(failed.error()).hasValueSatisfying(e -> {
                assertThat(e.value()).isEqualTo("***");
                assertThat(e.traceback()).doesNotContain(value);
            });
            assertThat(result.text()).hasValueSatisfying(t -> assertThat(t).contains("***").doesNotContain(value));
        }
    }

    @Test
    void create_unknownSecret_failsNamingIt() {
        assertThatThrownBy(() -> client.sandboxes().create(SandboxSpec.builder().secrets("SDK_NEVER_SET").build()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("SDK_NEVER_SET").hasMessageContaining("airlock.secrets");
    }
}
