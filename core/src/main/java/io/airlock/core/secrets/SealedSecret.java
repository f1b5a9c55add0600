package io.airlock.core.secrets;

/**
 * A secret as stored: its metadata and its value sealed under the tenant's data key.
 *
 * @param info name and times
 * @param sealed {@code nonce || ciphertext || tag}, bound to {@code ("airlock secret v1", tenant, name)}
 */
public record SealedSecret(SecretInfo info, byte[] sealed) {
    @Override
    public String toString() {
        return "SealedSecret[" + info + ", " + sealed.length + " bytes]";
    }
}
