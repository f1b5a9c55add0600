package io.airlock.server;

import io.airlock.core.egress.EgressRules;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.airlock.server.auth.Caller;
import io.airlock.store.ApiKey;
import io.airlock.store.IssuedKey;
import io.airlock.store.NotFoundException;
import io.airlock.store.Tenant;
import io.airlock.store.Tenants;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Tenants and API keys, for admins ({@code /admin/...}): create, list and revoke. A key's
 * plaintext is returned once, when it is created; the store keeps only its hash. Revoking a
 * tenant revokes its keys and kills its sandboxes.
 */
final class AdminApi {
    static final int DEFAULT_MAX_SANDBOXES = 20;

    private final Tenants tenants;
    private final SandboxService sandboxes;
    private final DataKeys dataKeys;

    AdminApi(Tenants tenants, SandboxService sandboxes, DataKeys dataKeys) {
        this.tenants = tenants;
        this.sandboxes = sandboxes;
        this.dataKeys = dataKeys;
    }

    void routes(RoutesConfig r) {
        r.before("/admin/*", ctx -> Caller.of(ctx).requireAdmin());
        r.post("/admin/tenants", this::createTenant);
        r.get("/admin/tenants", ctx -> ctx.json(tenants.list().stream().map(TenantView::of).toList()));
        r.get("/admin/tenants/{id}", ctx -> ctx.json(TenantView.of(tenant(ctx))));
        r.delete("/admin/tenants/{id}", this::revokeTenant);
        r.post("/admin/tenants/{id}/keys", ctx -> {
            NewKey body = ctx.body().isBlank() ? new NewKey(null) : ctx.bodyAsClass(NewKey.class);
            IssuedKey issued = tenants.createKey(tenant(ctx).id(), Objects.requireNonNullElse(body.name(), "default"));
            ctx.status(201).json(KeyView.of(issued.info(), issued.plaintext()));
        });
        r.get("/admin/tenants/{id}/keys", ctx -> ctx.json(tenants.keys(tenant(ctx).id()).stream().map(k -> KeyView.of(k, null)).toList()));
        r.get("/admin/tenants/{id}/egress", ctx -> ctx.json(new EgressCeiling(tenants.egressCeiling(tenant(ctx).id()).orElse(null))));
        r.put("/admin/tenants/{id}/egress", ctx -> {
            String id = tenant(ctx).id();
            EgressCeiling body = ctx.bodyAsClass(EgressCeiling.class);
            if (body == null) {
                throw new InvalidRequestException("ceiling", "required: a list of rules such as [\"*.example.com\", \"203.0.113.0/24\"], "
                        + "or null for the operator's ceiling");
            }
            List<String> rules = body.ceiling() == null ? null : EgressRules.parse("ceiling", body.ceiling()).texts();
            tenants.setEgressCeiling(id, rules);
            sandboxes.reapplyEgress(id); // running sandboxes too: an admin can cut a tenant off now
            ctx.json(new EgressCeiling(rules));
        });
        r.get("/admin/master-key", ctx -> ctx.json(new MasterKeyView(dataKeys.masterKeyId(), null)));
        r.post("/admin/master-key/rotate", ctx -> {
            if (!dataKeys.rotatable()) {
                ErrorMapping.send(ctx, 409, "the master key comes from AIRLOCK_MASTER_KEY; rotate it by setting a new one with the old"
                        + " one in AIRLOCK_MASTER_KEY_PREVIOUS and restarting", null);
                return;
            }
            int rewrapped = dataKeys.rotateMaster();
            ctx.json(new MasterKeyView(dataKeys.masterKeyId(), rewrapped));
        });
        r.delete("/admin/keys/{id}", ctx -> {
            tenants.revokeKey(ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    /** The current master key's id, and how many tenant data keys a rotation re-wrapped. */
    record MasterKeyView(String id, @Nullable Integer rewrapped) {}

    /**
     * A tenant's egress ceiling: rules it can never exceed, within the operator's
     * ({@code AIRLOCK_EGRESS_CEILING}); null means the operator's ceiling applies as is.
     */
    record EgressCeiling(@Nullable List<String> ceiling) {}

    private void createTenant(Context ctx) {
        NewTenant body = ctx.bodyAsClass(NewTenant.class);
        if (body == null || body.name() == null) {
            throw new InvalidRequestException("name", "required: a tenant name, 1-64 letters, digits, '.', '_' or '-'");
        }
        int max = body.maxSandboxes() == null ? DEFAULT_MAX_SANDBOXES : body.maxSandboxes();
        if (max < 0 || max > 10_000) {
            throw new InvalidRequestException("maxSandboxes", "must be in 0..10000, got " + max);
        }
        Tenant t = tenants.create(body.name(), max, false);
        IssuedKey key = tenants.createKey(t.id(), "default");
        ctx.status(201).json(new CreatedTenant(t.id(), t.name(), t.maxSandboxes(), t.admin(), t.createdAt().toString(),
                key.plaintext()));
    }

    private void revokeTenant(Context ctx) {
        Tenant t = tenant(ctx);
        if (t.id().equals(Caller.of(ctx).tenantId())) {
            throw new InvalidRequestException("id", "an admin cannot revoke its own tenant; use another admin key");
        }
        tenants.revoke(t.id());
        for (Sandbox s : sandboxes.list()) {
            if (s.owner().equals(t.id())) {
                try {
                    sandboxes.kill(s.id());
                } catch (SandboxNotFoundException ignored) {
                    // died on its own meanwhile
                }
            }
        }
        ctx.status(204);
    }

    private Tenant tenant(Context ctx) {
        String id = ctx.pathParam("id");
        return tenants.find(id).filter(t -> t.revokedAt() == null)
                .orElseThrow(() -> new NotFoundException("tenant", id));
    }

    record NewTenant(@Nullable String name, @Nullable Integer maxSandboxes) {}

    record NewKey(@Nullable String name) {}

    record CreatedTenant(String id, String name, int maxSandboxes, boolean admin, String createdAt, String apiKey) {}

    record TenantView(String id, String name, int maxSandboxes, boolean admin, String createdAt) {
        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.name(), t.maxSandboxes(), t.admin(), t.createdAt().toString());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record KeyView(String id, String tenantId, String name, String prefix, String createdAt, @Nullable String lastUsedAt,
            @Nullable String revokedAt, @Nullable String apiKey) {
        static KeyView of(ApiKey k, @Nullable String plaintext) {
            return new KeyView(k.id(), k.tenantId(), k.name(), k.prefix(), k.createdAt().toString(),
                    k.lastUsedAt() == null ? null : k.lastUsedAt().toString(),
                    k.revokedAt() == null ? null : k.revokedAt().toString(), plaintext);
        }
    }
}
