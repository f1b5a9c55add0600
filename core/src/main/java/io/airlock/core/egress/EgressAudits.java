package io.airlock.core.egress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ready-made {@link EgressAudit}s. */
public final class EgressAudits {
    private EgressAudits() {}

    /**
     * An audit kept in memory: the newest {@code 10,000} events of each of the newest 1,000
     * sandboxes. For tests and for servers without a store.
     */
    public static EgressAudit inMemory() {
        return new InMemory(1000, 10_000);
    }

    static final class InMemory implements EgressAudit {
        private final int maxEventsPerSandbox;
        private final Map<String, Deque<EgressEvent>> bySandbox;

        InMemory(int maxSandboxes, int maxEventsPerSandbox) {
            this.maxEventsPerSandbox = maxEventsPerSandbox;
            this.bySandbox = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Deque<EgressEvent>> eldest) {
                    return size() > maxSandboxes;
                }
            };
        }

        @Override
        public synchronized void record(EgressEvent event) {
            Deque<EgressEvent> events = bySandbox.computeIfAbsent(event.sandboxId(), k -> new ArrayDeque<>());
            if (events.size() == maxEventsPerSandbox) {
                events.removeFirst();
            }
            events.addLast(event);
        }

        @Override
        public synchronized List<EgressEvent> events(String sandboxId, int limit) {
            Deque<EgressEvent> events = bySandbox.get(sandboxId);
            if (events == null) {
                return List.of();
            }
            List<EgressEvent> out = new ArrayList<>(events);
            return out.size() <= limit ? out : List.copyOf(out.subList(out.size() - limit, out.size()));
        }

        @Override
        public synchronized List<EgressEvent> allowedConnections(String sandboxId) {
            Deque<EgressEvent> events = bySandbox.get(sandboxId);
            if (events == null) {
                return List.of();
            }
            Map<String, EgressEvent> first = new LinkedHashMap<>();
            for (EgressEvent e : events) {
                if (e.allowed() && e.protocol().equals("tcp")) {
                    first.putIfAbsent(e.name() != null ? e.name() : String.valueOf(e.address()), e);
                }
            }
            return List.copyOf(first.values());
        }
    }
}
