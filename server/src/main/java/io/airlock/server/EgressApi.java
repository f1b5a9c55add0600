package io.airlock.server;

import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.airlock.core.egress.Allowlists;
import io.airlock.core.egress.EgressEvent;
import io.airlock.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET /v1/sandboxes/{id}/egress}: a sandbox's egress audit, live or ended (its newest
 * 10,000 events), and the allowlist learn mode proposes from its whole record (the minimal
 * {@code allowOut} that covers every connection the run made).
 */
final class EgressApi {
    private static final int MAX_EVENTS = 10_000;

    private final SandboxService sandboxes;
    private final Function<String, Optional<String>> ownerOf;

    /** @param ownerOf the tenant of a sandbox, live or ended, from the durable records */
    EgressApi(SandboxService sandboxes, Function<String, Optional<String>> ownerOf) {
        this.sandboxes = sandboxes;
        this.ownerOf = ownerOf;
    }

    record Event(String at, String protocol, String name, String address, int port, String decision, String reason, long bytesOut,
            long bytesIn) {
        static Event of(EgressEvent e) {
            return new Event(e.at().toString(), e.protocol(), e.name(), e.address(), e.port(), e.allowed() ? "allow" : "deny",
                    e.reason(), e.bytesOut(), e.bytesIn());
        }
    }

    record Audit(String sandboxId, List<Event> events, List<String> proposedAllowOut) {}

    void routes(RoutesConfig r) {
        r.get("/v1/sandboxes/{id}/egress", this::audit);
    }

    private void audit(Context ctx) {
        String id = ctx.pathParam("id");
        String tenant = Caller.of(ctx).tenantId();
        if (!ownerOf.apply(id).map(tenant::equals).orElse(false)) {
            throw new SandboxNotFoundException(id); // another tenant's sandbox is the same 404 as none
        }
        List<EgressEvent> events = sandboxes.egressEvents(id, MAX_EVENTS);
        ctx.json(new Audit(id, events.stream().map(Event::of).toList(), Allowlists.propose(sandboxes.egressAllowed(id))));
    }

}
