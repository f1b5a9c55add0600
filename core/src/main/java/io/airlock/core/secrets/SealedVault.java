package io.airlock.core.secrets;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The vault over a {@link SecretStore}, sealing with the tenant's data key. */
final class SealedVault implements Vault {
    private static final String CONTEXT = "airlock secret v1";

    private final DataKeys keys;
    private final SecretStore store;
    private final InstantSource clock;

    SealedVault(DataKeys keys, SecretStore store, InstantSource clock) {
        this.keys = keys;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public SecretInfo put(String tenant, String name, String value) {
        Vault.checkName("name", name);
        if (value == null) {
            throw new InvalidRequestException("value", "required: the secret's value as a JSON string");
        }
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            if (plain.length < MIN_VALUE_BYTES) {
                throw new InvalidRequestException("value", "is " + plain.length + " bytes; a secret must be at least "
                        + MIN_VALUE_BYTES + " bytes, since a shorter value cannot be masked meaningfully in output");
            }
            if (plain.length > MAX_VALUE_BYTES) {
                throw new InvalidRequestException("value", "is " + plain.length + " bytes; a secret is at most "
                        + MAX_VALUE_BYTES + " bytes (64 KiB)");
            }
            if (value.indexOf('\0') >= 0) {
                throw new InvalidRequestException("value", "contains a NUL byte, which no environment variable can hold");
            }
            return store.put(tenant, name, Aead.seal(keys.forTenant(tenant), context(tenant, name), plain));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public List<SecretInfo> list(String tenant) {
        return store.list(tenant);
    }

    @Override
    public SecretInfo info(String tenant, String name) {
        Vault.checkName("name", name);
        return store.find(tenant, name).map(SealedSecret::info).orElseThrow(() -> new SecretNotFoundException(name));
    }

    @Override
    public void delete(String tenant, String name) {
        Vault.checkName("name", name);
        if (!store.delete(tenant, name)) {
            throw new SecretNotFoundException(name);
        }
    }

    @Override
    public SecretValues resolve(String tenant, Collection<String> names, String field) {
        Vault.checkNames(field, names);
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            SealedSecret s = store.find(tenant, name).orElseThrow(() -> new InvalidRequestException(field,
                    "no secret named '" + name + "' in this tenant's vault; set it first (PUT /v1/secrets/" + name
                            + ", or `airlock secret set " + name + "`), or leave it out"));
            byte[] plain;
            try {
                plain = Aead.open(keys.forTenant(tenant), context(tenant, name), s.sealed());
            } catch (IntegrityException e) {
                throw new IntegrityException("the stored value of secret '" + name + "' failed authentication: it was sealed"
                        + " for another tenant or name, or altered in the database; set it again");
            }
            values.put(name, new String(plain, StandardCharsets.UTF_8));
            Arrays.fill(plain, (byte) 0);
        }
        return SecretValues.of(values);
    }

    @Override
    public void recordUses(String tenant, Collection<String> names, String sandboxId, SecretUse.Scope scope, String actor) {
        Instant now = clock.instant();
        List<SecretUse> uses = new ArrayList<>(names.size());
        for (String n : names) {
            uses.add(new SecretUse(tenant, n, sandboxId, scope, actor, now));
        }
        if (!uses.isEmpty()) {
            store.recordUses(uses);
        }
    }

    @Override
    public List<SecretUse> uses(String tenant, String name, int limit) {
        Vault.checkName("name", name);
        if (limit < 1 || limit > 1000) {
            throw new InvalidRequestException("limit", "must be in 1..1000, got " + limit);
        }
        List<SecretUse> uses = store.uses(tenant, name, limit);
        if (uses.isEmpty() && store.find(tenant, name).isEmpty()) {
            throw new SecretNotFoundException(name);
        }
        return uses;
    }

    private static byte[] context(String tenant, String name) {
        return Aead.context(CONTEXT, tenant, name);
    }
}
