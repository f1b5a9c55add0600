package io.airlock.core.egress;

import java.net.InetAddress;

/** {@code *}: every name and every address. A singleton, since all of them are equal. */
record AnyRule() implements EgressRule {
    static final AnyRule INSTANCE = new AnyRule();

    @Override
    public boolean matchesName(String normalizedName) {
        return true;
    }

    @Override
    public boolean matchesAddress(InetAddress address) {
        return true;
    }

    @Override
    public boolean isDomain() {
        return false;
    }

    @Override
    public String text() {
        return "*";
    }
}
