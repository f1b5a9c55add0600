package io.airlock.server.auth;

import io.airlock.core.Sandbox;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.javalin.http.Context;

/**
 * Who is calling: the tenant an API key belongs to. Every front door that takes API keys asks
 * the caller for sandboxes by id, so another tenant's sandbox is "not found", exactly like an id
 * that never existed.
 *
 * @param tenantId the tenant's id; sandboxes are owned by it
 * @param tenantName the tenant's name, for logs
 * @param admin whether the tenant may manage tenants and keys
 * @param keyId the id of the API key presented (never the key), or empty if unknown
 */
public record Caller(String tenantId, String tenantName, boolean admin, String keyId) {
    static final String ATTRIBUTE = "airlock.caller";

    /** A caller whose key id is not known. */
    public Caller(String tenantId, String tenantName, boolean admin) {
        this(tenantId, tenantName, admin, "");
    }

    /** Who asked, as audit trails record it: {@code key:<api key id>}, or {@code tenant:<id>} without a key id. */
    public String actor() {
        return keyId.isEmpty() ? "tenant:" + tenantId : "key:" + keyId;
    }

    /** The caller {@link ApiKeyAuth} put on this request. */
    public static Caller of(Context ctx) {
        Caller caller = ctx.attribute(ATTRIBUTE);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.path() + " is not behind ApiKeyAuth");
        }
        return caller;
    }

    /**
     * The sandbox, if this caller owns it.
     *
     * @throws SandboxNotFoundException if it does not exist or belongs to another tenant
     */
    public Sandbox owned(SandboxService sandboxes, String id) {
        Sandbox s = sandboxes.get(id);
        if (!s.owner().equals(tenantId)) {
            throw new SandboxNotFoundException(id);
        }
        return s;
    }

    /** @throws ForbiddenException unless this caller is an admin */
    public void requireAdmin() {
        if (!admin) {
            throw new ForbiddenException("this API key's tenant '" + tenantName + "' is not an admin; use the admin key ($AIRLOCK_HOME/admin.key)");
        }
    }
}
