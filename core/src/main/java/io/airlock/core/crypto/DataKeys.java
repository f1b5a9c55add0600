package io.airlock.core.crypto;

import io.airlock.core.AirlockException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants' data keys: one random AES-256 key per tenant, created on first use, stored only wrapped
 * by the master key and kept unwrapped in memory only. Everything a tenant stores encrypted is
 * encrypted under its data key, so rotating the master key re-wraps a few dozen bytes per tenant
 * and rewrites no data. Thread-safe.
 */
public final class DataKeys {
    private static final Logger log = LoggerFactory.getLogger(DataKeys.class);

    private final WrappedKeyStore store;
    private final Map<String, SecretKey> cache = new ConcurrentHashMap<>();
    /**
     * Creating a tenant's key takes the read side, rotation the write side: otherwise a key
     * wrapped under the old master could be inserted after the rotation re-wrapped everything
     * and dropped that master, and would be lost.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock rotation = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile MasterKeys master;

    public DataKeys(MasterKeys master, WrappedKeyStore store) {
        this.master = master;
        this.store = store;
    }

    /** The tenant's data key, created and stored (wrapped) on first use. */
    public SecretKey forTenant(String tenant) {
        if (tenant.isEmpty()) {
            throw new IllegalArgumentException("data keys belong to tenants; the tenant id is empty");
        }
        SecretKey cached = cache.get(tenant);
        if (cached != null) {
            return cached;
        }
        rotation.readLock().lock();
        try {
            return cache.computeIfAbsent(tenant, t -> {
                MasterKeys m = master;
                WrappedKey stored = store.find(t).orElseGet(() -> store.insertIfAbsent(wrap(m, t, Aead.newKey())));
                return unwrap(m, stored);
            });
        } finally {
            rotation.readLock().unlock();
        }
    }

    /** Whether {@link #rotateMaster()} can work: the master key lives in a key file, not the environment. */
    public boolean rotatable() {
        return master.rotatable();
    }

    /** The id of the master key new data keys are wrapped by. */
    public String masterKeyId() {
        return master.currentId();
    }

    /**
     * Re-wraps every data key not wrapped by the current master key (after a restart with a new
     * {@code AIRLOCK_MASTER_KEY}). Called at startup.
     *
     * @return how many keys were re-wrapped
     * @throws AirlockException if a key is wrapped by a master key this ring does not hold
     */
    public int rewrapAll() {
        MasterKeys m = master;
        int n = 0;
        for (WrappedKey k : store.all()) {
            if (!k.masterKeyId().equals(m.currentId())) {
                SecretKey plain = unwrap(m, k);
                if (store.replace(k.tenant(), k.masterKeyId(), wrap(m, k.tenant(), plain))) {
                    n++;
                }
            }
        }
        if (n > 0) {
            log.atInfo().addKeyValue("keys", n).addKeyValue("masterKey", m.currentId()).log("tenant data keys re-wrapped");
        }
        return n;
    }

    /**
     * Rotates a file-based master key: writes a new current key (keeping the old one in the file),
     * re-wraps every data key under it, then drops the old key from the file. A crash in between
     * leaves a file that still holds both, and the next start finishes the job.
     *
     * @return how many data keys were re-wrapped
     */
    public int rotateMaster() {
        rotation.writeLock().lock();
        try {
            MasterKeys next = master.rotated();
            master = next;
            int n = rewrapAll();
            boolean stillNeeded = store.all().stream().anyMatch(k -> !k.masterKeyId().equals(next.currentId()));
            if (!stillNeeded) {
                master = next.retired(); // only once no data key needs the old master
            }
            return n;
        } finally {
            rotation.writeLock().unlock();
        }
    }

    private static WrappedKey wrap(MasterKeys m, String tenant, SecretKey key) {
        return new WrappedKey(tenant, m.currentId(), Aead.seal(m.current(), context(tenant, m.currentId()), key.getEncoded()));
    }

    private static SecretKey unwrap(MasterKeys m, WrappedKey k) {
        SecretKey mk = m.find(k.masterKeyId()).orElseThrow(() -> new AirlockException("tenant " + k.tenant()
                + "'s data key is wrapped by master key " + k.masterKeyId() + ", which is not configured (this server has "
                + m.ids() + "); set " + MasterKeys.ENV_PREVIOUS + " to that key, or restore the key file"));
        return Aead.key(Aead.open(mk, context(k.tenant(), k.masterKeyId()), k.wrapped()));
    }

    private static byte[] context(String tenant, String masterKeyId) {
        return Aead.context("airlock tenant data key v1", tenant, masterKeyId);
    }
}
