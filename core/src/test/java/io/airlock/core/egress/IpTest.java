package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpTest {
    @Test
    void parse_ipv4_strictDottedQuad() {
        assertThat(Ip.parse("203.0.113.7").map(Ip::text)).contains("203.0.113.7");
        assertThat(Ip.parse("0.0.0.0").map(Ip::text)).contains("0.0.0.0");
        assertThat(Ip.parse("255.255.255.255").map(Ip::text)).contains("255.255.255.255");
    }

    @Test
    void parse_rejectsAmbiguousOrShortIpv4() {
        for (String bad : new String[] {"010.0.0.1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.", ".1.2.3", "1..2.3",
                "0x7f.0.0.1", "2130706433", "1.2.3.4 ", "+1.2.3.4", "1.2.3.0004", ""}) {
            assertThat(Ip.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void parse_ipv6_compressedAndFullFormsAgree() {
        assertThat(Ip.parse("2001:DB8:0:0:0:0:0:1").map(Ip::text)).contains("2001:db8::1");
        assertThat(Ip.parse("2001:db8::1").map(Ip::text)).contains("2001:db8::1");
        assertThat(Ip.parse("::").map(Ip::text)).contains("::");
        assertThat(Ip.parse("::1").map(Ip::text)).contains("::1");
        assertThat(Ip.parse("fe80::").map(Ip::text)).contains("fe80::");
        assertThat(Ip.parse("1:0:0:2:0:0:0:3").map(Ip::text)).contains("1:0:0:2::3");
        assertThat(Ip.parse("1:0:2:3:4:5:6:7").map(Ip::text)).contains("1:0:2:3:4:5:6:7");
        assertThat(Ip.parse("64:ff9b::10.0.0.1").map(Ip::text)).contains("64:ff9b::a00:1");
    }

    @Test
    void parse_ipv4MappedIpv6_isTheIpv4Address_N05() {
        assertThat(Ip.parse("::ffff:10.0.0.1")).contains(Ip.v4(0x0a000001L));
        assertThat(Ip.parse("::FFFF:a00:1")).contains(Ip.v4(0x0a000001L));
        assertThat(Ip.parse("0:0:0:0:0:ffff:7f00:1").map(Ip::text)).contains("127.0.0.1");
    }

    @Test
    void parse_rejectsMalformedIpv6() {
        for (String bad : new String[] {":::", "1:::2", "1::2::3", ":1::", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                "1::2:3:4:5:6:7:8", "12345::", "g::1", "fe80::1%eth0", "[::1]", "1.2.3.4::", "::1.2.3", "::1.2.3.4:5",
                "1:2:3:4:5:6:7:1.2.3.4", "::\u0661"}) {
            assertThat(Ip.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void of_inetAddress_unwrapsMappedAndRoundTrips() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(Ip.of(v6).text()).isEqualTo("169.254.169.254");
        Ip ip = Ip.parse("2001:db8::7").orElseThrow();
        assertThat(Ip.of(ip.toInetAddress())).isEqualTo(ip);
    }
}
