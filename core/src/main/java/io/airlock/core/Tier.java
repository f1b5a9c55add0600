package io.airlock.core;

import java.util.Locale;

/** The isolation tier a sandbox runs on. Both tiers run the same OCI bundle. */
public enum Tier {
    /** runc: Linux namespaces, cgroups, seccomp and dropped capabilities. The default. */
    RUNC,
    /** runsc (gVisor, ptrace platform): a user-space kernel between the sandbox and the host. */
    RUNSC;

    /** The runtime binary name, which is also the tier's name on the wire. */
    public String binary() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a tier name as written in the API ({@code runc} or {@code runsc}).
     *
     * @throws InvalidRequestException if the name is neither
     */
    public static Tier parse(String field, String name) {
        for (Tier t : values()) {
            if (t.binary().equals(name)) {
                return t;
            }
        }
        throw new InvalidRequestException(field, "unknown runtime tier '" + name + "'; use 'runc' or 'runsc'");
    }
}
