package io.airlock.core.egress;

import static io.airlock.core.egress.EgressRuleTest.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EgressEventTest {
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void of_recordsDecisionWithCanonicalAddress() {
        EgressEvent e = EgressEvent.of("sbx1", AT, "tcp", "a.test", addr("2001:DB8::1"), 443,
                Decision.allow(Decision.ALLOW_RULE, "a.test"));
        assertThat(e.address()).isEqualTo("2001:db8::1");
        assertThat(e.allowed()).isTrue();
        assertThat(e.reason()).isEqualTo("allow-rule: a.test");
        assertThat(e.bytesOut()).isZero();
    }

    @Test
    void new_rejectsBrokenFields() {
        assertThatThrownBy(() -> event("", "tcp", "a.test", null, 443, 0)).hasMessageContaining("sandboxId");
        assertThatThrownBy(() -> event("s", "http", "a.test", null, 443, 0)).hasMessageContaining("protocol \"http\"");
        assertThatThrownBy(() -> event("s", "tcp", null, null, 443, 0)).hasMessageContaining("neither");
        assertThatThrownBy(() -> event("s", "tcp", "A.test", null, 443, 0)).hasMessageContaining("normal form");
        assertThatThrownBy(() -> event("s", "tcp", null, "2001:DB8::1", 443, 0)).hasMessageContaining("use 2001:db8::1");
        assertThatThrownBy(() -> event("s", "tcp", null, "a.test", 443, 0)).hasMessageContaining("not a canonical IP");
        assertThatThrownBy(() -> event("s", "tcp", "a.test", null, 70000, 0)).hasMessageContaining("port 70000");
        assertThatThrownBy(() -> event("s", "tcp", "a.test", null, 443, -1)).hasMessageContaining("negative");
    }

    static EgressEvent event(String sandbox, String protocol, String name, String address, int port, long bytesOut) {
        return new EgressEvent(sandbox, AT, protocol, name, address, port, true, "learn", bytesOut, 0);
    }
}
