package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpBlockTest {
    private static Ip ip(String s) {
        return Ip.parse(s).orElseThrow();
    }

    @Test
    void parse_masksHostBits() {
        assertThat(IpBlock.of("10.1.2.3/8").text()).isEqualTo("10.0.0.0/8");
        assertThat(IpBlock.of("2001:db8:ffff::1/32").text()).isEqualTo("2001:db8::/32");
        assertThat(IpBlock.of("10.1.2.3/32").text()).isEqualTo("10.1.2.3");
    }

    @Test
    void parse_rejectsPrefixOutOfRangeOrMalformed() {
        for (String bad : new String[] {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8",
                "/8", "10.0.0.0/a"}) {
            assertThat(IpBlock.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void contains_prefixEdges() {
        assertThat(IpBlock.of("0.0.0.0/0").contains(ip("255.255.255.255"))).isTrue();
        assertThat(IpBlock.of("172.16.0.0/12").contains(ip("172.31.255.255"))).isTrue();
        assertThat(IpBlock.of("172.16.0.0/12").contains(ip("172.32.0.0"))).isFalse();
        assertThat(IpBlock.of("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(IpBlock.of("2001:db8::/32").contains(ip("2001:db9::"))).isFalse();
        assertThat(IpBlock.of("2001:db8::/96").contains(ip("2001:db8::ffff:ffff"))).isTrue();
        assertThat(IpBlock.of("2001:db8::/96").contains(ip("2001:db8::1:0:0"))).isFalse();
        assertThat(IpBlock.of("::/0").contains(ip("::1"))).isTrue();
    }

    @Test
    void contains_familiesDoNotMix() {
        assertThat(IpBlock.of("::/0").contains(ip("10.0.0.1"))).isFalse();
        assertThat(IpBlock.of("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void parse_mappedBlock_isTheIpv4Block() {
        assertThat(IpBlock.of("::ffff:10.0.0.0/104")).isEqualTo(IpBlock.of("10.0.0.0/8"));
        assertThat(IpBlock.of("::ffff:10.0.0.0/104").contains(ip("10.9.9.9"))).isTrue();
    }
}
