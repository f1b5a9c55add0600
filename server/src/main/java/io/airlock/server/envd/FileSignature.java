package io.airlock.server.envd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The signature envd accepts on {@code /files} in place of the {@code X-Access-Token} header, as
 * the E2B SDK computes it for {@code uploadUrl}/{@code downloadUrl}:
 * {@code "v1_" + base64(sha256("<path>:<read|write>:<username>:<token>[:<expiration>]"))}, standard
 * base64 alphabet with the {@code =} padding removed. {@code path} and {@code username} are the
 * query parameters exactly as sent (empty when absent).
 */
final class FileSignature {
    static final String READ = "read";
    static final String WRITE = "write";

    private FileSignature() {}

    /** The signature for one operation; {@code expiration} (unix seconds) is signed when present. */
    static String sign(String path, String operation, String username, String token, @Nullable Long expiration) {
        String raw = path + ":" + operation + ":" + username + ":" + token + (expiration == null ? "" : ":" + expiration);
        return "v1_" + Base64.getEncoder().withoutPadding().encodeToString(sha256(raw));
    }

    /** Whether {@code presented} is the signature for the operation, compared in constant time. */
    static boolean valid(String presented, String path, String operation, String username, String token, @Nullable Long expiration) {
        byte[] expected = sign(path, operation, username, token, expiration).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
