package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Configuration: explicit settings, then AIRLOCK_*, then E2B_* variables. */
class AirlockClientBuilderTest {
    @Test
    void build_noSettings_readsAirlockVariablesFirst() {
        AirlockClient c = new AirlockClient.Builder(Map.of("AIRLOCK_URL", "http://a:1/", "E2B_API_URL", "http://e:2",
                "AIRLOCK_API_KEY", "k1", "E2B_API_KEY", "k2")).build();
        assertThat(c.url()).isEqualTo("http://a:1");
    }

    @Test
    void build_onlyE2bVariables_usesThem() {
        AirlockClient c = new AirlockClient.Builder(Map.of("E2B_API_URL", "http://e:2", "E2B_API_KEY", "k2")).build();
        assertThat(c.url()).isEqualTo("http://e:2");
    }

    @Test
    void build_explicitUrl_winsOverTheEnvironment() {
        AirlockClient c = new AirlockClient.Builder(Map.of("AIRLOCK_URL", "http://a:1", "AIRLOCK_API_KEY", "k"))
                .url("http://b:3").build();
        assertThat(c.url()).isEqualTo("http://b:3");
    }

    @Test
    void build_noKey_saysWhereToSetIt() {
        assertThatThrownBy(() -> new AirlockClient.Builder(Map.of()).url("http://a:1").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("AIRLOCK_API_KEY");
    }

    @Test
    void build_notHttp_isRefused() {
        assertThatThrownBy(() -> new AirlockClient.Builder(Map.of()).url("ftp://a").apiKey("k").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://a");
    }

    @Test
    void requestTimeout_zero_isRefused() {
        assertThatThrownBy(() -> AirlockClient.builder().requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void specBuilders_validateEagerly() {
        assertThatThrownBy(() -> SandboxSpec.builder().template(" ")).hasMessageContaining("template");
        assertThatThrownBy(() -> ListOptions.builder().limit(0)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> RunCodeOptions.builder().language("python").context(new CodeContext("c1", "bash", "/")).build())
                .hasMessageContaining("not both");
    }

    @Test
    void apiKey_withACharacterNoHeaderCarries_isRefusedWithoutEchoingTheKey() {
        assertThatThrownBy(() -> ClientConfig.of("http://a:1", "e2b_TOPSECRET123\u200b", java.time.Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 17")
                .hasMessageNotContaining("TOPSECRET");
        assertThat(ClientConfig.of("http://a:1", "e2b_TOPSECRET123", java.time.Duration.ofSeconds(1)).toString())
                .doesNotContain("TOPSECRET");
    }
}
