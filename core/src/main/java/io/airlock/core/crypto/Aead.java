package io.airlock.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for values that fit in memory. A sealed value is {@code nonce (12) || ciphertext ||
 * tag (16)}, with a fresh random nonce each time; the associated data binds it to its context
 * and is not stored.
 */
public final class Aead {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int OVERHEAD = NONCE_BYTES + TAG_BITS / 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Aead() {}

    /** A new random AES-256 key. */
    public static SecretKey newKey() {
        return key(randomBytes(KEY_BYTES));
    }

    /** The AES key with these 32 bytes. */
    public static SecretKey key(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("an AES-256 key is 32 bytes, got " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    /** UTF-8 bytes of the context parts joined by NUL, for use as associated data. */
    public static byte[] context(String... parts) {
        return String.join("\0", parts).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] seal(SecretKey key, byte[] associatedData, byte[] plaintext) {
        byte[] nonce = randomBytes(NONCE_BYTES);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData);
            byte[] out = new byte[NONCE_BYTES + c.getOutputSize(plaintext.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            c.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is available in every JDK", e);
        }
    }

    /**
     * @throws IntegrityException if the value was not sealed under this key and associated data,
     *     or was changed since
     */
    public static byte[] open(SecretKey key, byte[] associatedData, byte[] sealed) {
        if (sealed.length < OVERHEAD) {
            throw new IntegrityException("sealed value is " + sealed.length + " bytes, shorter than nonce and tag ("
                    + OVERHEAD + ")");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(associatedData);
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IntegrityException("sealed value failed authentication: wrong key or context, or altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is available in every JDK", e);
        }
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
