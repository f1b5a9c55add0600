package io.airlock.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Tenants (the unit of ownership and quota) and their API keys.
 *
 * <p>Keys have E2B's shape, {@code e2b_} followed by 40 lowercase hex digits (160 random bits).
 * Only a SHA-256 hash of a key and a short display prefix are stored; the plaintext exists once,
 * in the {@link IssuedKey} that {@link #createKey} returns.
 *
 * <p>{@link #authenticate} keeps recently used keys in memory for up to 30 seconds. Revoking a
 * key or tenant, or changing a tenant, through this object takes effect at once; a change made
 * by another node sharing a PostgreSQL database takes effect here within those 30 seconds.
 *
 * <p>Nothing is ever deleted: revoking sets {@code revokedAt}, so the history stays readable.
 */
public interface Tenants {

    /** The longest tenant or key name. */
    int MAX_NAME_LENGTH = 64;

    /** The largest {@code maxSandboxes} a tenant may have. */
    int MAX_SANDBOXES_LIMIT = 10_000;

    /**
     * Creates a tenant.
     *
     * @param name 1 to 64 of {@code A-Z a-z 0-9 . _ -}, unique among tenants not revoked
     * @param maxSandboxes how many sandboxes it may have alive at once, 0 to {@value #MAX_SANDBOXES_LIMIT}
     * @param admin whether its keys may manage other tenants
     * @throws io.airlock.core.InvalidRequestException naming {@code name} or {@code maxSandboxes}
     */
    Tenant create(String name, int maxSandboxes, boolean admin);

    /**
     * The tenant's egress ceiling as rule texts, or empty if it has none of its own (it then gets
     * the operator's).
     *
     * @throws NotFoundException if there is no such tenant
     */
    Optional<List<String>> egressCeiling(String tenantId);

    /**
     * Sets the tenant's egress ceiling; {@code null} removes it. The rules are stored as given;
     * validate them first ({@link io.airlock.core.egress.EgressRules#parse}).
     *
     * @throws NotFoundException if there is no such tenant
     */
    void setEgressCeiling(String tenantId, @Nullable List<String> rules);

    /** Active tenants, oldest first. */
    default List<Tenant> list() {
        return list(false);
    }

    /** Tenants, oldest first, including revoked ones if {@code includeRevoked}. */
    List<Tenant> list(boolean includeRevoked);

    /** The tenant with this id, active or revoked. */
    Optional<Tenant> find(String id);

    /**
     * Revokes a tenant and every key it has. Revoking a revoked tenant changes nothing.
     *
     * @throws NotFoundException if there is no such tenant
     * @throws io.airlock.core.InvalidRequestException if it is the last active admin tenant
     */
    void revoke(String tenantId);

    /**
     * Changes how many sandboxes a tenant may have alive at once.
     *
     * @return the updated tenant
     * @throws NotFoundException if there is no such tenant
     * @throws io.airlock.core.InvalidRequestException naming {@code maxSandboxes} if out of range,
     *     or {@code tenantId} if the tenant is revoked
     */
    Tenant setMaxSandboxes(String tenantId, int maxSandboxes);

    /**
     * Issues a new API key for an active tenant.
     *
     * @param name a label for people, 1 to 64 characters, no control characters
     * @return the key's record and its plaintext, which cannot be recovered later
     * @throws NotFoundException if there is no such tenant
     * @throws io.airlock.core.InvalidRequestException naming {@code name}, or {@code tenantId} if
     *     the tenant is revoked
     */
    IssuedKey createKey(String tenantId, String name);

    /**
     * A tenant's keys, active and revoked, oldest first.
     *
     * @throws NotFoundException if there is no such tenant
     */
    List<ApiKey> keys(String tenantId);

    /** The key with this id, active or revoked; use it to check which tenant owns a key. */
    Optional<ApiKey> findKey(String keyId);

    /**
     * Revokes one key; it stops authenticating at once. Revoking a revoked key changes nothing.
     *
     * @throws NotFoundException if there is no such key
     */
    void revokeKey(String keyId);

    /**
     * The active tenant that owns {@code presentedKey}, if the key is well formed, known and not
     * revoked. A missing or malformed key is rejected without touching the database. Records the
     * key's {@code lastUsedAt}, at most once a minute per key.
     */
    Optional<Tenant> authenticate(@Nullable String presentedKey);

    /** Like {@link #authenticate}, and also says which key it was, for audit trails. */
    Optional<KeyHolder> identify(@Nullable String presentedKey);

    /**
     * An authenticated key's tenant and the key's id.
     *
     * @param tenant the active tenant the key belongs to
     * @param keyId the key's id (never the key)
     */
    record KeyHolder(Tenant tenant, String keyId) {}

    /**
     * Makes sure an administrator can get in on first start. If no active admin tenant exists,
     * creates one (named {@code admin}, 100 sandboxes) with one key, writes the key to {@code
     * keyFile} (mode 0600, replaced atomically; parent directories created 0700) and returns it
     * so the caller can show it once. Otherwise changes nothing and returns empty.
     *
     * <p>If every admin tenant has been revoked, the next call creates a fresh one: restarting
     * the server is how an operator who lost admin access gets it back.
     *
     * @throws io.airlock.core.AirlockException if the key file cannot be written (nothing is created then)
     */
    Optional<String> ensureAdmin(Path keyFile);
}
