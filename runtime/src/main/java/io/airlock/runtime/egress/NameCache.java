package io.airlock.runtime.egress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sandbox's view of DNS: the addresses Airlock's resolver gave for each name, kept for their
 * TTL (at most {@link #MAX_TTL}). The resolver answers the sandbox from here and the proxy dials
 * from here, so the address a sandbox was told is the address a connection to that name is
 * allowed to go to — a forged Host or SNI on a connection to another address is caught by
 * comparing against the same answer.
 */
final class NameCache {
    static final Duration MAX_TTL = Duration.ofSeconds(60);
    private static final int MAX_NAMES = 512;

    /**
     * One name's answer. {@code previous} keeps the answer before it, so a client still using an
     * address from the last answer (DNS rotation, a resolver cache in the sandbox) is not refused
     * as a mismatch the moment the answer changes.
     */
    record Entry(int rcode, List<Inet4Address> addresses, Instant expires, List<Inet4Address> previous) {}

    private final EgressProxy.Upstream upstream;
    private final InstantSource clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, NameCache.Entry> eldest) {
            return size() > MAX_NAMES;
        }
    };

    NameCache(EgressProxy.Upstream upstream, InstantSource clock) {
        this.upstream = upstream;
        this.clock = clock;
    }

    /** The name's addresses, from the cache or upstream. */
    Entry resolve(String name) throws IOException {
        Instant now = clock.instant();
        synchronized (entries) {
            Entry e = entries.get(name);
            if (e != null && now.isBefore(e.expires())) {
                return e;
            }
        }
        DnsAnswer a = upstream.resolveA(name);
        long ttl = Math.max(1, Math.min(MAX_TTL.toSeconds(), a.minTtl()));
        synchronized (entries) {
            Entry old = entries.get(name);
            Entry e = new Entry(a.rcode(), List.copyOf(a.addresses()), now.plusSeconds(ttl), old == null ? List.of() : old.addresses());
            entries.put(name, e);
            return e;
        }
    }

    /** Whether {@code address} is among the addresses last resolved for {@code name}, still valid or not. */
    boolean wasResolvedTo(String name, InetAddress address) {
        synchronized (entries) {
            Entry e = entries.get(name);
            return e != null && (e.addresses().contains(address) || e.previous().contains(address));
        }
    }
}
