package io.airlock.core.crypto;

import io.airlock.core.AirlockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * The master key ring: the current master key, which wraps every tenant's data key, and retired
 * ones that may still be needed to unwrap during a rotation. Keys are known by an id derived
 * from them (16 hex digits), which is what wrapped data keys record.
 *
 * <p>Two sources, in this order:
 *
 * <ul>
 *   <li>{@code AIRLOCK_MASTER_KEY}: 32 bytes in base64 (or 64 hex digits); retired keys in
 *       {@code AIRLOCK_MASTER_KEY_PREVIOUS}, comma-separated. Rotating is the operator's job:
 *       move the old key to the previous list, set a new one, restart.
 *   <li>otherwise the key file ({@code $AIRLOCK_HOME/master.key}, mode 0600, one base64 key per
 *       line, current first), created with a random key when missing. {@link #rotated()} and
 *       {@link #retired()} rewrite it atomically.
 * </ul>
 */
public final class MasterKeys {
    public static final String ENV = "AIRLOCK_MASTER_KEY";
    public static final String ENV_PREVIOUS = "AIRLOCK_MASTER_KEY_PREVIOUS";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Map<String, SecretKey> keys; // current first
    private final @Nullable Path file;

    private MasterKeys(Map<String, SecretKey> keys, @Nullable Path file) {
        this.keys = keys;
        this.file = file;
    }

    /** The ring from the environment if it names a key, else from {@code keyFile} (created if missing). */
    public static MasterKeys load(Map<String, String> env, Path keyFile) {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            List<byte[]> raw = new ArrayList<>();
            raw.add(decode(ENV, fromEnv));
            for (String old : env.getOrDefault(ENV_PREVIOUS, "").split(",")) {
                if (!old.isBlank()) {
                    raw.add(decode(ENV_PREVIOUS, old));
                }
            }
            return new MasterKeys(ring(raw), null);
        }
        try {
            if (!Files.exists(keyFile)) {
                write(keyFile, List.of(Aead.randomBytes(Aead.KEY_BYTES)));
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
            if (!OWNER_ONLY.containsAll(mode)) {
                throw new AirlockException("master key file " + keyFile + " has mode "
                        + PosixFilePermissions.toString(mode) + "; it must be readable by its owner only: chmod 600 " + keyFile);
            }
            List<byte[]> raw = new ArrayList<>();
            for (String line : Files.readAllLines(keyFile, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    raw.add(decode(keyFile.toString(), line));
                }
            }
            if (raw.isEmpty()) {
                throw new AirlockException("master key file " + keyFile + " holds no key; restore it from backup");
            }
            return new MasterKeys(ring(raw), keyFile);
        } catch (IOException e) {
            throw new AirlockException("cannot read or create the master key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** A ring of the given keys, current first, kept in memory only; for tests. */
    public static MasterKeys of(SecretKey current, SecretKey... previous) {
        List<byte[]> raw = new ArrayList<>();
        raw.add(current.getEncoded());
        for (SecretKey k : previous) {
            raw.add(k.getEncoded());
        }
        return new MasterKeys(ring(raw), null);
    }

    public String currentId() {
        return keys.keySet().iterator().next();
    }

    SecretKey current() {
        return keys.values().iterator().next();
    }

    Optional<SecretKey> find(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** The ids of every key in the ring, current first. */
    public List<String> ids() {
        return List.copyOf(keys.keySet());
    }

    /** Whether this ring lives in a key file that {@link #rotated()} can rewrite. */
    public boolean rotatable() {
        return file != null;
    }

    /**
     * A new random current key, with every key of this ring kept as retired; the key file is
     * rewritten before this returns.
     *
     * @throws AirlockException if the ring comes from the environment
     */
    public MasterKeys rotated() {
        List<byte[]> raw = new ArrayList<>();
        raw.add(Aead.randomBytes(Aead.KEY_BYTES));
        keys.values().forEach(k -> raw.add(k.getEncoded()));
        return rewrite(raw);
    }

    /** This ring without its retired keys, once nothing is wrapped by them; the key file is rewritten. */
    public MasterKeys retired() {
        return rewrite(List.of(current().getEncoded()));
    }

    private MasterKeys rewrite(List<byte[]> raw) {
        if (file == null) {
            throw new AirlockException("the master key comes from " + ENV + "; rotate it by setting a new " + ENV
                    + " with the old one in " + ENV_PREVIOUS + ", then restarting");
        }
        try {
            write(file, raw);
        } catch (IOException e) {
            throw new AirlockException("cannot rewrite the master key file " + file + ": " + e.getMessage(), e);
        }
        return new MasterKeys(ring(raw), file);
    }

    private static Map<String, SecretKey> ring(List<byte[]> raw) {
        Map<String, SecretKey> ring = new LinkedHashMap<>();
        for (byte[] k : raw) {
            ring.putIfAbsent(id(k), Aead.key(k));
        }
        return ring;
    }

    static String id(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("airlock master key id\0".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] decode(String source, String text) {
        String t = text.strip();
        byte[] key;
        try {
            key = t.length() == 64 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                    ? HexFormat.of().parseHex(t) : Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != Aead.KEY_BYTES) {
            // Never echo the value: it is meant to be a key.
            throw new AirlockException(source + ": a master key is 32 random bytes in base64 (44 characters) or hex (64 digits);"
                    + " generate one with: head -c 32 /dev/urandom | base64");
        }
        return key;
    }

    /** Writes the keys to a 0600 temporary file beside {@code file}, syncs it, and moves it over {@code file}. */
    private static void write(Path file, List<byte[]> raw) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".master.key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            StringBuilder text = new StringBuilder();
            raw.forEach(k -> text.append(Base64.getEncoder().encodeToString(k)).append('\n'));
            try (var ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            // The new name must be durable before data keys are re-wrapped under the key it holds.
            try (var d = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
