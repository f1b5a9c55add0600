package io.airlock.server.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import io.airlock.core.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxListingTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static Sandbox sandbox(String id, int second, Sandbox.State state, Map<String, String> metadata) {
        return new Sandbox(id, "base", Tier.RUNC, Resources.DEFAULTS, metadata, T0.plusSeconds(second),
                T0.plusSeconds(second + 300), state, "t1");
    }

    private static final List<Sandbox> ALL = List.of(
            sandbox("ia", 1, Sandbox.State.RUNNING, Map.of("app", "x y", "env", "prod")),
            sandbox("ib", 2, Sandbox.State.PAUSED, Map.of("app", "x y")),
            sandbox("ic", 3, Sandbox.State.RUNNING, Map.of("app", "other")),
            sandbox("id", 3, Sandbox.State.RUNNING, Map.of()));

    private static List<String> ids(SandboxListing.Page page) {
        return page.items().stream().map(Sandbox::id).toList();
    }

    @Test
    void defaults_newestFirst_allStates() {
        SandboxListing.Page page = SandboxListing.parse(Map.of(), true).apply(ALL);

        assertThat(ids(page)).containsExactly("id", "ic", "ib", "ia");
        assertThat(page.nextToken()).isNull();
        assertThat(page.total()).isEqualTo(4);
    }

    @Test
    void metadataFilter_decodesEachPart() {
        // The SDK URL-encodes each key and value, then the whole query value once more (undone by the server).
        SandboxListing q = SandboxListing.parse(Map.of("metadata", List.of("app=x%20y&env=prod")), true);

        assertThat(ids(q.apply(ALL))).containsExactly("ia");
    }

    @Test
    void stateFilter_commaSeparated() {
        assertThat(ids(SandboxListing.parse(Map.of("state", List.of("paused")), true).apply(ALL))).containsExactly("ib");
        assertThat(ids(SandboxListing.parse(Map.of("state", List.of("running,paused")), true).apply(ALL))).hasSize(4);
    }

    @Test
    void paging_visitsEveryItemOnce_inOrder_tiesBrokenById() {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, List<String>> query = token == null
                    ? Map.of("limit", List.of("1"), "order", List.of("asc"))
                    : Map.of("limit", List.of("1"), "order", List.of("asc"), "nextToken", List.of(token));
            SandboxListing.Page page = SandboxListing.parse(query, true).apply(ALL);
            seen.addAll(ids(page));
            token = page.nextToken();
            pages++;
        } while (token != null && pages < 10);

        assertThat(seen).containsExactly("ia", "ib", "ic", "id");
        assertThat(pages).isEqualTo(4);
    }

    @Test
    void badParameters_nameTheField() {
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("limit", List.of("0")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("limit", List.of("101")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("1..100");
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("state", List.of("dead")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'dead' is not a state");
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("nextToken", List.of("!!!")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("nextToken");
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("metadata", List.of("novalue")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("key=value");
        assertThatThrownBy(() -> SandboxListing.parse(Map.of("order", List.of("sideways")), true))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("asc or desc");
    }
}
