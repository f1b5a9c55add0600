package io.airlock.core;

import java.security.SecureRandom;

/** Generates unguessable sandbox ids: {@code i} + 24 base-32 characters (120 random bits). */
final class SandboxIds {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxIds() {}

    static String next() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        StringBuilder id = new StringBuilder(25).append('i');
        long buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                id.append(ALPHABET[(int) (buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return id.toString();
    }

    /** Whether {@code id} has the shape of an id this class makes (checked before any lookup). */
    static boolean wellFormed(String id) {
        return id.length() == 25 && id.charAt(0) == 'i' && id.chars().skip(1).allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'));
    }
}
