package io.airlock.core.egress;

import java.net.InetAddress;

/** {@code a.test}: exactly one host name, held in {@link HostNames} normal form. */
record DomainRule(String name) implements EgressRule {
    @Override
    public boolean matchesName(String normalizedName) {
        return name.equals(normalizedName);
    }

    @Override
    public boolean matchesAddress(InetAddress address) {
        return false;
    }

    @Override
    public boolean isDomain() {
        return true;
    }

    @Override
    public String text() {
        return name;
    }
}
