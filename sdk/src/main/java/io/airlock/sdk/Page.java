package io.airlock.sdk;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing and the token of the next page, if there is one.
 *
 * <pre>{@code
 * Page<SandboxInfo> page = client.sandboxes().list(ListOptions.builder().limit(10).build());
 * page.items().forEach(s -> System.out.println(s.sandboxId()));
 * page.nextToken().ifPresent(t -> System.out.println("more after " + t));
 * }</pre>
 *
 * @param <T> the type of the items
 */
public final class Page<T> {
    private final List<T> items;
    private final String nextToken;

    Page(List<T> items, String nextToken) {
        this.items = List.copyOf(items);
        this.nextToken = nextToken;
    }

    /** The items of this page, in the server's order. */
    public List<T> items() {
        return items;
    }

    /** The token that fetches the next page; empty on the last page. */
    public Optional<String> nextToken() {
        return Optional.ofNullable(nextToken);
    }

    /** Whether there is a next page. */
    public boolean hasNext() {
        return nextToken != null;
    }

    @Override
    public String toString() {
        return "Page[" + items.size() + " items" + (nextToken == null ? "" : ", more") + "]";
    }
}
