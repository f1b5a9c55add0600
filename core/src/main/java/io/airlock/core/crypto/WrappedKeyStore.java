package io.airlock.core.crypto;

import java.util.List;
import java.util.Optional;

/** Where wrapped tenant data keys are kept (the store's {@code tenant_keys} table). */
public interface WrappedKeyStore {
    Optional<WrappedKey> find(String tenant);

    /** Stores {@code key} unless the tenant has one already; returns whichever is stored afterwards. */
    WrappedKey insertIfAbsent(WrappedKey key);

    /** Every wrapped key. */
    List<WrappedKey> all();

    /**
     * Replaces the tenant's key if it is still wrapped by {@code expectedMasterKeyId}.
     *
     * @return whether it was replaced
     */
    boolean replace(String tenant, String expectedMasterKeyId, WrappedKey next);
}
