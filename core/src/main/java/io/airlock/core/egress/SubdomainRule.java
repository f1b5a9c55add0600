package io.airlock.core.egress;

import java.net.InetAddress;

/**
 * {@code *.a.test}: every name strictly under {@code a.test}, at any depth, but not {@code a.test}
 * itself (E2B's meaning). Matching is on a label boundary: the name must end in {@code .a.test},
 * so {@code evila.test} does not match.
 */
record SubdomainRule(String parent) implements EgressRule {
    @Override
    public boolean matchesName(String normalizedName) {
        return normalizedName.length() > parent.length() + 1
                && normalizedName.endsWith(parent)
                && normalizedName.charAt(normalizedName.length() - parent.length() - 1) == '.';
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
        return "*." + parent;
    }
}
