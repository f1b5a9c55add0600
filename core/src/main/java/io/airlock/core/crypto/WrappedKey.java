package io.airlock.core.crypto;

/**
 * A tenant's data key as stored: sealed ({@link Aead}) under the master key {@code masterKeyId}.
 *
 * @param tenant the tenant id
 * @param masterKeyId the id of the master key that wraps it ({@link MasterKeys#currentId()})
 * @param wrapped the sealed key bytes
 */
public record WrappedKey(String tenant, String masterKeyId, byte[] wrapped) {}
