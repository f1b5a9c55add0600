package io.airlock.core.egress;

import java.net.InetAddress;

/** An IP address or CIDR block; never matches a name. */
record AddressRule(IpBlock block) implements EgressRule {
    @Override
    public boolean matchesName(String normalizedName) {
        return false;
    }

    @Override
    public boolean matchesAddress(InetAddress address) {
        return block.contains(Ip.of(address));
    }

    @Override
    public boolean isDomain() {
        return false;
    }

    @Override
    public String text() {
        return block.text();
    }
}
