package io.airlock.core.egress;

import static io.airlock.core.egress.EgressRuleTest.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockedAddressesTest {
    private final BlockedAddresses blocked = new BlockedAddresses(Set.of(addr("203.0.113.250")));

    @Test
    void live_blocksTheHostsInterfaceAddressesAndTheExtraOnes_N11() throws Exception {
        BlockedAddresses live = BlockedAddresses.live(Set.of(addr("203.0.113.77")));
        assertThat(live.why(addr("203.0.113.77"))).contains("a host address");
        assertThat(live.why(addr("203.0.113.78"))).isEmpty();
        for (java.net.InetAddress a : BlockedAddresses.hostAddresses()) {
            assertThat(live.why(a)).as(a.toString()).isPresent();
        }
    }

    @Test
    void why_privateLoopbackMetadataAndFriends_N09() {
        assertThat(blocked.why(addr("10.1.2.3"))).contains("10.0.0.0/8 (private)");
        assertThat(blocked.why(addr("127.0.0.53"))).contains("127.0.0.0/8 (loopback)");
        assertThat(blocked.why(addr("169.254.169.254"))).contains("169.254.0.0/16 (link-local, cloud metadata)");
        assertThat(blocked.why(addr("172.31.255.255"))).contains("172.16.0.0/12 (private)");
        assertThat(blocked.why(addr("192.168.0.1"))).contains("192.168.0.0/16 (private)");
        assertThat(blocked.why(addr("100.127.0.1"))).contains("100.64.0.0/10 (carrier-grade NAT)");
        for (String a : new String[] {"0.0.0.0", "0.1.2.3", "192.0.0.9", "198.18.0.1", "198.19.255.255", "224.0.0.1",
                "239.255.255.250", "240.0.0.1", "255.255.255.255"}) {
            assertThat(blocked.why(addr(a))).as(a).isPresent();
        }
    }

    @Test
    void why_ipv6Specials_N10() {
        assertThat(blocked.why(addr("::1"))).contains("::1 (loopback)");
        assertThat(blocked.why(addr("::"))).contains(":: (unspecified)");
        assertThat(blocked.why(addr("fd00::1"))).contains("fc00::/7 (unique local)");
        assertThat(blocked.why(addr("fe80::1"))).contains("fe80::/10 (link-local)");
        assertThat(blocked.why(addr("ff02::1"))).contains("ff00::/8 (multicast)");
        assertThat(blocked.why(addr("fd00:ec2::254"))).as("AWS IPv6 metadata").isPresent();
    }

    @Test
    void why_ipv6FormsOfPrivateIpv4_N05() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        InetAddress m = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(m).isInstanceOf(Inet6Address.class);
        assertThat(blocked.why(m)).contains("169.254.0.0/16 (link-local, cloud metadata)");
        assertThat(blocked.why(addr("64:ff9b::10.0.0.1"))).contains("64:ff9b::/96 (NAT64) of 10.0.0.0/8 (private)");
        assertThat(blocked.why(addr("64:ff9b::7f00:1"))).contains("64:ff9b::/96 (NAT64) of 127.0.0.0/8 (loopback)");
        assertThat(blocked.why(addr("2002:a9fe:a9fe::1"))).contains("2002::/16 (6to4) of 169.254.0.0/16 (link-local, cloud metadata)");
        assertThat(blocked.why(addr("::127.0.0.1"))).as("IPv4-compatible").isPresent();
        assertThat(blocked.why(addr("64:ff9b:1::a00:1"))).as("local-use NAT64").isPresent();
    }

    @Test
    void why_publicFormsPass() {
        assertThat(blocked.why(addr("64:ff9b::203.0.113.1"))).isEmpty();
        assertThat(blocked.why(addr("2002:cb00:7101::1"))).isEmpty();
        assertThat(blocked.why(addr("2001:db8::1"))).isEmpty();
    }

    @Test
    void why_documentationRangesAreTheFakeInternet() {
        for (String a : new String[] {"192.0.2.1", "198.51.100.1", "203.0.113.1", "8.8.8.8", "172.32.0.1", "100.128.0.1",
                "169.255.0.1", "11.0.0.1", "198.20.0.1", "223.255.255.255"}) {
            assertThat(blocked.why(addr(a))).as(a).isEmpty();
        }
    }

    @Test
    void why_hostAddress_inAnyForm() throws Exception {
        assertThat(blocked.why(addr("203.0.113.250"))).contains("a host address");
        assertThat(blocked.why(addr("64:ff9b::203.0.113.250"))).contains("64:ff9b::/96 (NAT64) of a host address");
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, (byte) 250};
        assertThat(blocked.why(Inet6Address.getByAddress(null, mapped, -1))).contains("a host address");
        assertThat(new BlockedAddresses(Set.of()).why(addr("203.0.113.250"))).isEmpty();
    }

    @Test
    void hostAddresses_listsLoopbackOrNothingButNeverFails() {
        Set<InetAddress> host = BlockedAddresses.hostAddresses();
        assertThat(host).allSatisfy(a -> assertThat(a).isNotNull());
        assertThat(new BlockedAddresses(host).why(addr("127.0.0.1"))).isPresent();
    }
}
