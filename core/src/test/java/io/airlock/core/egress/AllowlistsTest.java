package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowlistsTest {
    private static EgressEvent e(String protocol, String name, String address, boolean allowed) {
        return new EgressEvent("sbx", Instant.EPOCH, protocol, name, address, 443, allowed, allowed ? "learn" : "deny-rule", 1, 1);
    }

    @Test
    void propose_namesOnceAndDnsAloneProposesNothing() {
        List<EgressEvent> events = List.of(e("tcp", "a.test", "203.0.113.1", true), e("tcp", "a.test", "203.0.113.2", true),
                e("dns", "a.test", null, true), e("dns", "only-resolved.test", null, true));
        assertThat(Allowlists.propose(events)).containsExactly("a.test");
    }

    @Test
    void propose_bareAddressForNamelessConnections_sortedAndDeduplicated() {
        List<EgressEvent> events = List.of(e("tcp", null, "203.0.113.9", true), e("tcp", "b.test", "192.0.2.1", true),
                e("tcp", null, "203.0.113.9", true), e("tcp", null, "2001:db8::1", true));
        assertThat(Allowlists.propose(events)).containsExactly("2001:db8::1", "203.0.113.9", "b.test");
    }

    @Test
    void propose_ignoresDeniedAndNonTcp() {
        List<EgressEvent> events = List.of(e("tcp", "denied.test", "203.0.113.1", false), e("udp", null, "192.0.2.7", true),
                e("icmp", null, "192.0.2.8", true));
        assertThat(Allowlists.propose(events)).isEmpty();
    }

    @Test
    void propose_outputParsesBackAsAllowOut() {
        List<String> proposal = Allowlists.propose(List.of(e("tcp", "a.test", "203.0.113.1", true), e("tcp", null, "2001:db8::1", true)));
        assertThat(EgressRules.parse("network.allowOut", proposal).texts()).isEqualTo(proposal);
    }
}
