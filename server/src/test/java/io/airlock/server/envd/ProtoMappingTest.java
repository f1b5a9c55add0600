package io.airlock.server.envd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.ExitStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proto3 JSON mapping in both directions, without a server. */
class ProtoMappingTest {
    private static ProtoReader read(String json) {
        return ProtoReader.root(ProtoJson.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void bytes_acceptStandardAndUrlSafeBase64_withOrWithoutPadding() {
        byte[] expected = {(byte) 0xfb, (byte) 0xff};
        assertThat(read("{\"b\":\"+/8=\"}").bytes("b")).isEqualTo(expected);
        assertThat(read("{\"b\":\"-_8=\"}").bytes("b")).isEqualTo(expected);
        assertThat(read("{\"b\":\"-_8\"}").bytes("b")).isEqualTo(expected);
        assertThat(read("{}").bytes("b")).isEmpty();
    }

    @Test
    void fields_areFoundByCamelOrSnakeName_butNotBoth() {
        assertThat(read("{\"watcher_id\":\"w1\"}").string("watcherId")).isEqualTo("w1");
        assertThat(read("{\"watcherId\":\"w1\"}").string("watcherId")).isEqualTo("w1");
        assertThatThrownBy(() -> read("{\"watcherId\":\"a\",\"watcher_id\":\"b\"}").string("watcherId"))
                .hasMessageContaining("given twice");
        assertThat(read("{\"watcherId\":null}").string("watcherId")).as("null is the default").isEmpty();
    }

    @Test
    void integers_enums_andTheirErrors() {
        assertThat(read("{\"n\":\"42\"}").uint32("n")).isEqualTo(42);
        assertThat(read("{\"n\":42.0}").uint32("n")).isEqualTo(42);
        assertThat(read("{\"n\":4294967295}").uint32("n")).isEqualTo(4294967295L);
        assertThatThrownBy(() -> read("{\"n\":4294967296}").uint32("n")).hasMessageContaining("'n'");
        assertThatThrownBy(() -> read("{\"n\":1.5}").uint32("n")).hasMessageContaining("'n'");
        assertThatThrownBy(() -> read("{\"n\":true}").uint32("n")).hasMessageContaining("'n'");
        Map<String, Integer> names = Map.of("A", 0, "B", 7);
        assertThat(read("{\"e\":\"B\"}").enumValue("e", names)).isEqualTo(7);
        assertThat(read("{\"e\":7}").enumValue("e", names)).isEqualTo(7);
        assertThatThrownBy(() -> read("{\"e\":\"C\"}").enumValue("e", names)).hasMessageContaining("'e'");
    }

    @Test
    void nestedErrors_nameTheFullPath() {
        ProtoReader p = read("{\"process\":{\"envs\":{\"A\":1}}}").requiredMessage("process", "x");
        assertThatThrownBy(() -> p.stringMap("envs")).hasMessageContaining("process.envs.A");
        assertThatThrownBy(() -> read("{\"process\":[]}").message("process")).hasMessageContaining("'process'");
    }

    @Test
    void permissions_printAsGo() {
        assertThat(EntryJson.permissions(0100644)).isEqualTo("-rw-r--r--");
        assertThat(EntryJson.permissions(040755)).isEqualTo("drwxr-xr-x");
        assertThat(EntryJson.permissions(041777)).isEqualTo("dtrwxrwxrwx");
        assertThat(EntryJson.permissions(0120777)).isEqualTo("Lrwxrwxrwx");
        assertThat(EntryJson.permissions(0104755)).isEqualTo("urwxr-xr-x");
        assertThat(EntryJson.permissions(020666)).isEqualTo("Dcrw-rw-rw-");
        assertThat(EntryJson.permissions(010644)).isEqualTo("prw-r--r--");
        assertThat(EntryJson.permissions(0140755)).isEqualTo("Srwxr-xr-x");
    }

    @Test
    void timestamps_areRfc3339_clampedToTheTypesRange() {
        assertThat(ProtoJson.timestamp(java.time.Instant.parse("2026-01-02T03:04:05.120Z"))).isEqualTo("2026-01-02T03:04:05.120Z");
        assertThat(ProtoJson.timestamp(java.time.Instant.ofEpochSecond(0))).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(ProtoJson.timestamp(java.time.Instant.MAX)).isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(ProtoJson.timestamp(java.time.Instant.MIN)).isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void endEvents_readAsEnvds() {
        var ok = ProcessEvents.end(ExitStatus.exited(0)).get("event").get("end");
        assertThat(ok.toString()).isEqualTo("{\"exitCode\":0,\"exited\":true,\"status\":\"exit status 0\"}");
        var term = ProcessEvents.end(ExitStatus.killed(15, false)).get("event").get("end");
        assertThat(term.toString()).isEqualTo("{\"exitCode\":-1,\"exited\":false,\"status\":\"signal: terminated\",\"error\":\"signal: terminated\"}");
        var oom = ProcessEvents.end(ExitStatus.killed(9, true)).get("event").get("end");
        assertThat(oom.get("error").asText()).startsWith("signal: killed (").contains("out of memory");
    }
}
