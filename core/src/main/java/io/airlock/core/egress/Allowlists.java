package io.airlock.core.egress;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Learn mode's output: an {@code allowOut} proposed from what a sandbox actually reached, for a
 * person to review and then enforce with learn mode off.
 */
public final class Allowlists {
    private Allowlists() {}

    /**
     * The smallest {@code allowOut} that covers every allowed TCP connection in {@code events}: the
     * name the connection asked for when it had one, else its address as a bare IP. A DNS question
     * alone proposes nothing (resolving a name is not using it), and nor do denied connections.
     * Sorted and without duplicates, so the same events always give the same list.
     *
     * <p>Addresses are proposed as single addresses, not widened to blocks: a reviewer can widen,
     * but should not have to notice that the proposal did.
     */
    public static List<String> propose(Collection<EgressEvent> events) {
        TreeSet<String> rules = new TreeSet<>();
        for (EgressEvent e : events) {
            if (!e.allowed() || !e.protocol().equals("tcp")) {
                continue;
            }
            String rule = e.name() != null ? e.name() : e.address();
            if (rule != null) {
                rules.add(rule);
            }
        }
        return List.copyOf(rules);
    }
}
