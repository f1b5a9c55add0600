package io.airlock.server.e2b;

import io.airlock.core.AirlockException;
import io.airlock.server.envd.EnvdAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-sandbox envd access tokens. A token is HMAC-SHA256(server secret, sandbox id), so none is
 * ever stored: the control plane hands it out on create and connect, and the data plane
 * recomputes it to check {@code X-Access-Token} and {@code /files} signatures. The secret lives
 * in {@code $AIRLOCK_HOME/server.secret} (0600).
 */
public final class SandboxTokens implements EnvdAccess {
    private final SecretKeySpec key;
    private final Set<String> insecure = ConcurrentHashMap.newKeySet();

    private SandboxTokens(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** Tokens keyed by the secret in {@code secretFile}, created (0600) on first use. */
    public static SandboxTokens open(Path secretFile) {
        try {
            if (!Files.exists(secretFile)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Path tmp = Files.createTempFile(secretFile.getParent(), ".secret", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, HexFormat.of().formatHex(secret));
                Files.move(tmp, secretFile, StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] secret = HexFormat.of().parseHex(Files.readString(secretFile).trim());
            if (secret.length < 32) {
                throw new AirlockException(secretFile + " holds " + secret.length + " bytes; a server secret needs 32");
            }
            return new SandboxTokens(secret);
        } catch (IOException | IllegalArgumentException e) {
            throw new AirlockException("cannot read or create the server secret " + secretFile + ": " + e.getMessage(), e);
        }
    }

    /** The sandbox's token, whether or not it is secure. */
    public String tokenFor(String sandboxId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(("envd:" + sandboxId).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Marks a sandbox created with {@code secure: false}: its envd then needs no token. */
    public void markInsecure(String sandboxId) {
        insecure.add(sandboxId);
    }

    /** Forgets a sandbox that ended. */
    public void forget(String sandboxId) {
        insecure.remove(sandboxId);
    }

    /** {@inheritDoc} Liveness is the caller's to check: a token exists for any id. */
    @Override
    public Optional<String> accessToken(String sandboxId) {
        return insecure.contains(sandboxId) ? Optional.empty() : Optional.of(tokenFor(sandboxId));
    }
}
