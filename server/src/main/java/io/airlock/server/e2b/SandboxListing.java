package io.airlock.server.e2b;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.Sandbox;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The filters, order and paging of {@code GET /v2/sandboxes}: {@code metadata} ("k=v&k2=v2", each
 * part URL-encoded), {@code state} (comma-separated), {@code template}, {@code startedAfter},
 * {@code order} (by start time, newest first by default), {@code limit} (1–100) and
 * {@code nextToken}, an opaque cursor naming the last sandbox of the previous page.
 */
record SandboxListing(
        Map<String, String> metadata,
        Set<Sandbox.State> states,
        @Nullable String template,
        @Nullable Instant startedAfter,
        boolean ascending,
        int limit,
        @Nullable Cursor after) {
    static final int MAX_LIMIT = 100;

    /** One page of results and the token of the next, if there is more. */
    record Page(List<Sandbox> items, @Nullable String nextToken, int total) {}

    /** Position in the order: a start time and, for ties, an id. */
    record Cursor(Instant startedAt, String id) {
        static Cursor of(Sandbox s) {
            return new Cursor(s.startedAt(), s.id());
        }

        String encode() {
            String raw = startedAt.getEpochSecond() + "." + startedAt.getNano() + "." + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String token) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                String[] parts = raw.split("\\.", 3);
                return new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
            } catch (RuntimeException e) {
                throw new InvalidRequestException("nextToken", "is not a token this server issued; pass the X-Next-Token of the previous page");
            }
        }
    }

    /** Parses the query parameters; {@code paged} is false for the legacy list, which returns everything. */
    static SandboxListing parse(Map<String, List<String>> query, boolean paged) {
        Map<String, String> metadata = metadata(single(query, "metadata"));
        Set<Sandbox.State> states = EnumSet.noneOf(Sandbox.State.class);
        for (String v : query.getOrDefault("state", List.of())) {
            for (String s : v.split(",")) {
                switch (s.trim().toLowerCase(Locale.ROOT)) {
                    case "running" -> states.add(Sandbox.State.RUNNING);
                    case "paused" -> states.add(Sandbox.State.PAUSED);
                    case "" -> { }
                    default -> throw new InvalidRequestException("state", "'" + s + "' is not a state; use running and/or paused, comma-separated");
                }
            }
        }
        if (states.isEmpty()) {
            states = EnumSet.allOf(Sandbox.State.class);
        }
        Instant startedAfter = null;
        String after = single(query, "startedAfter");
        if (after != null) {
            try {
                startedAfter = Instant.parse(after);
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("startedAfter", "'" + after + "' is not an RFC 3339 time such as 2026-01-02T15:04:05Z");
            }
        }
        String order = single(query, "order");
        boolean ascending = switch (order == null ? "desc" : order.toLowerCase(Locale.ROOT)) {
            case "asc" -> true;
            case "desc" -> false;
            default -> throw new InvalidRequestException("order", "'" + order + "' is not an order; use asc or desc");
        };
        int limit = paged ? limit(single(query, "limit")) : Integer.MAX_VALUE;
        String token = paged ? single(query, "nextToken") : null;
        return new SandboxListing(metadata, states, single(query, "template"), startedAfter, ascending, limit,
                token == null || token.isEmpty() ? null : Cursor.decode(token));
    }

    /** Filters, orders and pages {@code all}. */
    Page apply(List<Sandbox> all) {
        Comparator<Cursor> order = Comparator.comparing(Cursor::startedAt).thenComparing(Cursor::id);
        Comparator<Cursor> direction = ascending ? order : order.reversed();
        List<Sandbox> matching = all.stream().filter(this::matches).sorted(Comparator.comparing(Cursor::of, direction)).toList();
        List<Sandbox> rest = after == null ? matching
                : matching.stream().filter(s -> direction.compare(Cursor.of(s), after) > 0).toList();
        if (rest.size() <= limit) {
            return new Page(rest, null, matching.size());
        }
        List<Sandbox> page = rest.subList(0, limit);
        return new Page(page, Cursor.of(page.getLast()).encode(), matching.size());
    }

    private boolean matches(Sandbox s) {
        return states.contains(s.state())
                && (template == null || template.equals(s.template()))
                && (startedAfter == null || !s.startedAt().isBefore(startedAfter))
                && metadata.entrySet().stream().allMatch(e -> e.getValue().equals(s.metadata().get(e.getKey())));
    }

    private static Map<String, String> metadata(@Nullable String query) {
        Map<String, String> wanted = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return wanted;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new InvalidRequestException("metadata", "'" + pair + "' is not key=value; use e.g. metadata=user%3Dabc%26app%3Dprod");
            }
            try {
                wanted.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("metadata", "'" + pair + "' is not validly URL-encoded");
            }
        }
        return wanted;
    }

    private static int limit(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return MAX_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException("limit", "must be an integer in 1.." + MAX_LIMIT + ", got '" + value + "'");
    }

    private static @Nullable String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
