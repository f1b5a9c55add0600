package io.airlock.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Random ids and API keys, and key hashing. */
final class Secrets {
    static final String KEY_PREFIX = "e2b_";
    static final int KEY_HEX_DIGITS = 40;
    static final int KEY_LENGTH = KEY_PREFIX.length() + KEY_HEX_DIGITS;
    /** How much of a key is kept for display: {@code e2b_} and 8 hex digits (32 of 160 bits). */
    static final int DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length() + 8;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final HexFormat HEX = HexFormat.of();

    private Secrets() {}

    /** {@code prefix} followed by 20 random base-32 characters (100 bits). */
    static String id(String prefix) {
        StringBuilder id = new StringBuilder(prefix.length() + 20).append(prefix);
        for (int i = 0; i < 20; i++) {
            id.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return id.toString();
    }

    /** A new API key: {@code e2b_} followed by 40 lowercase hex digits (160 random bits). */
    static String newKey() {
        byte[] bytes = new byte[KEY_HEX_DIGITS / 2];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + HEX.formatHex(bytes);
    }

    /** Whether {@code key} has the shape of a key this store issues; no lookup, no regex. */
    static boolean wellFormed(String key) {
        if (key.length() != KEY_LENGTH || !key.startsWith(KEY_PREFIX)) {
            return false;
        }
        for (int i = KEY_PREFIX.length(); i < KEY_LENGTH; i++) {
            char c = key.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The hex SHA-256 of the whole key: what the store keeps instead of the key. */
    static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return HEX.formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Compares two hashes in time independent of where they differ. */
    static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    /** The part of a key that may be shown again. */
    static String displayPrefix(String key) {
        return key.substring(0, DISPLAY_PREFIX_LENGTH);
    }
}
