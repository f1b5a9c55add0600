package io.airlock.sdk;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Filters and paging for {@link Sandboxes#list(ListOptions)}: metadata that must match, the states
 * wanted, a page size and the token of the page to fetch.
 *
 * <pre>{@code
 * ListOptions first = ListOptions.builder().metadata(Map.of("user", "alice")).state(SandboxState.RUNNING).limit(10).build();
 * Page<SandboxInfo> page = client.sandboxes().list(first);
 * while (page.nextToken().isPresent()) {
 *     page = client.sandboxes().list(first.withNextToken(page.nextToken().get()));
 * }
 * }</pre>
 */
public final class ListOptions {
    private final Map<String, String> metadata;
    private final Set<SandboxState> states;
    private final int limit;
    private final String nextToken;

    private ListOptions(Map<String, String> metadata, Set<SandboxState> states, int limit, String nextToken) {
        this.metadata = metadata;
        this.states = states;
        this.limit = limit;
        this.nextToken = nextToken;
    }

    /** Running and paused sandboxes, the server's page size (100). */
    public static ListOptions all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Metadata every listed sandbox must carry. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The states listed; all of them when empty. */
    public Set<SandboxState> states() {
        return states;
    }

    /** The page size; 0 means the server's default (100). */
    public int limit() {
        return limit;
    }

    /** The page to fetch: the token of the previous page, or none for the first. */
    public Optional<String> nextToken() {
        return Optional.ofNullable(nextToken);
    }

    /** These options for the page after the one {@code token} came with. */
    public ListOptions withNextToken(String token) {
        return new ListOptions(metadata, states, limit, token);
    }

    /** Builds {@link ListOptions}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private Map<String, String> metadata = Map.of();
        private final Set<SandboxState> states = EnumSet.noneOf(SandboxState.class);
        private int limit;
        private String nextToken;

        private Builder() {}

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = Map.copyOf(metadata);
            return this;
        }

        /** Adds states to list; all states when none is added. */
        public Builder state(SandboxState... states) {
            this.states.addAll(java.util.List.of(states));
            return this;
        }

        /** @throws IllegalArgumentException unless {@code limit} is in 1..100 */
        public Builder limit(int limit) {
            if (limit < 1 || limit > 100) {
                throw new IllegalArgumentException("limit must be in 1..100, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        public Builder nextToken(String token) {
            this.nextToken = token;
            return this;
        }

        public ListOptions build() {
            return new ListOptions(metadata, Set.copyOf(states), limit, nextToken);
        }
    }
}
