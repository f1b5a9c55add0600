package io.airlock.core.secrets;

import java.util.List;
import java.util.Optional;

/**
 * Where sealed secrets and the audit of their uses are kept (the store's {@code secrets} and
 * {@code secret_uses} tables). Everything is keyed by tenant; it never sees a plaintext value.
 */
public interface SecretStore {
    /** Creates the secret or replaces its sealed value; returns what is stored afterwards. */
    SecretInfo put(String tenant, String name, byte[] sealed);

    Optional<SealedSecret> find(String tenant, String name);

    /** The tenant's secrets, by name. */
    List<SecretInfo> list(String tenant);

    /** @return whether there was such a secret */
    boolean delete(String tenant, String name);

    /** Appends uses to the audit. */
    void recordUses(List<SecretUse> uses);

    /** The newest {@code limit} uses of one of the tenant's secrets, newest first. */
    List<SecretUse> uses(String tenant, String name, int limit);
}
