package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class EgressRuleTest {
    private static final String FIELD = "network.allowOut[0]";

    static InetAddress addr(String literal) {
        return Ip.parse(literal).orElseThrow().toInetAddress();
    }

    private static EgressRule rule(String text) {
        return EgressRule.parse(FIELD, text);
    }

    @Test
    void star_matchesEveryNameAndAddress() {
        EgressRule r = rule("*");
        assertThat(r.matchesName("a.test")).isTrue();
        assertThat(r.matchesAddress(addr("203.0.113.1"))).isTrue();
        assertThat(r.matchesAddress(addr("2001:db8::1"))).isTrue();
        assertThat(r.isDomain()).isFalse();
        assertThat(r.text()).isEqualTo("*");
    }

    @Test
    void domain_isNormalized() {
        EgressRule r = rule(" A.Test. ");
        assertThat(r.text()).isEqualTo("a.test");
        assertThat(r.isDomain()).isTrue();
        assertThat(r.matchesName("a.test")).isTrue();
    }

    @Test
    void domain_doesNotMatchSuffixPrefixOrSubdomain_N07() {
        EgressRule r = rule("a.test");
        assertThat(r.matchesName("a.test.evil")).isFalse();
        assertThat(r.matchesName("evila.test")).isFalse();
        assertThat(r.matchesName("x.a.test")).isFalse();
        assertThat(r.matchesName("a.tes")).isFalse();
        assertThat(r.matchesAddress(addr("203.0.113.1"))).isFalse();
    }

    @Test
    void wildcard_matchesStrictlyUnderOnLabelBoundary_N07() {
        EgressRule r = rule("*.A.test.");
        assertThat(r.text()).isEqualTo("*.a.test");
        assertThat(r.isDomain()).isTrue();
        assertThat(r.matchesName("x.a.test")).isTrue();
        assertThat(r.matchesName("y.x.a.test")).isTrue();
        assertThat(r.matchesName("a.test")).as("apex, as in E2B").isFalse();
        assertThat(r.matchesName("evila.test")).isFalse();
        assertThat(r.matchesName("x.a.test.evil")).isFalse();
        assertThat(r.matchesName(".a.test")).isFalse();
    }

    @Test
    void address_andCidr_parseAndMatch() {
        assertThat(rule("203.0.113.7").matchesAddress(addr("203.0.113.7"))).isTrue();
        assertThat(rule("203.0.113.7").matchesAddress(addr("203.0.113.8"))).isFalse();
        assertThat(rule("203.0.113.7/24").text()).isEqualTo("203.0.113.0/24");
        assertThat(rule("2001:DB8::/32").text()).isEqualTo("2001:db8::/32");
        assertThat(rule("2001:db8::/32").matchesAddress(addr("2001:db8:1::1"))).isTrue();
        assertThat(rule("203.0.113.0/24").matchesName("a.test")).isFalse();
        assertThat(rule("203.0.113.0/24").isDomain()).isFalse();
    }

    @Test
    void address_mappedIpv6IsJudgedAsIpv4_N05() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 9};
        InetAddress a = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(rule("203.0.113.0/24").matchesAddress(a)).isTrue();
        assertThat(rule("::ffff:203.0.113.9").text()).isEqualTo("203.0.113.9");
    }

    @Test
    void parse_invalid_namesFieldAndFix() {
        for (String bad : new String[] {"", "*.", "*.*.a.test", "a..test", "a.test:443", "http://a.test", "10.0.0.0/33",
                "300.1.1.1", "::/129", "10.0.0.1/08", "fe80::1%eth0", "a test", "*a.test", "a.*.test"}) {
            assertThatThrownBy(() -> rule(bad))
                    .as(bad)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith(FIELD + ": ")
                    .hasMessageContaining("*.a.test")
                    .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo(FIELD));
        }
    }

    @Test
    void parse_namesThatLookNumericAreNotResolved() {
        // a bare number is neither a name nor an address: refused, never looked up
        assertThatThrownBy(() -> rule("2130706433")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> rule("127.1")).isInstanceOf(InvalidRequestException.class);
    }
}
