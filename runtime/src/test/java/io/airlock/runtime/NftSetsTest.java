package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.RuntimeFailureException;
import org.junit.jupiter.api.Test;

class NftSetsTest {
    /** Shape of `nft -j list table inet airlock` as nftables 1.0.6 prints it (trimmed). */
    private static final String LISTING = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}},
             {"table": {"family": "inet", "name": "airlock", "handle": 1}},
             {"set": {"family": "inet", "name": "udp4", "table": "airlock", "type": ["ipv4_addr", "inet_service"],
                      "elem": [{"concat": ["8.8.8.8", 5000]}, {"concat": ["1.2.3.4", 443]}]}},
             {"set": {"family": "inet", "name": "udp6", "table": "airlock", "type": ["ipv6_addr", "inet_service"]}},
             {"set": {"family": "inet", "name": "other4", "table": "airlock", "elem": [{"concat": ["9.9.9.9", "icmp"]}]}},
             {"set": {"family": "inet", "name": "other6", "table": "airlock", "elem": [{"concat": ["2001:db8::1", "tcp"]}]}},
             {"chain": {"family": "inet", "table": "airlock", "name": "to_proxy"}}]}
            """;

    @Test
    void dropped_readsEveryRecordingSet() {
        assertThat(NftSets.dropped(LISTING)).containsExactly(
                new SandboxNetwork.Dropped("udp", "8.8.8.8", 5000),
                new SandboxNetwork.Dropped("udp", "1.2.3.4", 443),
                new SandboxNetwork.Dropped("icmp", "9.9.9.9", 0),
                new SandboxNetwork.Dropped("tcp", "2001:db8::1", 0));
    }

    @Test
    void dropped_emptySetsAndOtherObjects_yieldNothing() {
        assertThat(NftSets.dropped("{\"nftables\": [{\"set\": {\"name\": \"udp4\"}}, {\"set\": {\"name\": \"mine\", \"elem\": [1]}}]}"))
                .isEmpty();
    }

    @Test
    void dropped_notJson_saysSo() {
        assertThatThrownBy(() -> NftSets.dropped("Error: No such file or directory"))
                .isInstanceOf(RuntimeFailureException.class).hasMessageContaining("does not parse");
    }
}
