package io.airlock.store.workspace;

import io.airlock.core.AirlockException;
import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.IntegrityException;
import io.airlock.core.crypto.SealedStreams;
import io.airlock.core.workspace.WorkspaceLimitException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sealed, content-addressed blobs on disk: {@code <root>/<workspace>/blobs/<2 hex>/<id>} for file
 * content and {@code <root>/<workspace>/manifests/<2 hex>/<id>} for trees.
 *
 * <p>A blob's id is the HMAC-SHA256 of its plaintext under a key derived from the tenant's data
 * key and the workspace id, so the name reveals nothing of the content, yet the same content is
 * stored once per workspace. Content is sealed ({@link SealedStreams}) with associated data
 * naming tenant, workspace and id, so a blob read under another tenant, another workspace or
 * another name fails authentication.
 *
 * <p>Writes are crash-safe: a temporary file in the blob's own directory, fsync, atomic rename,
 * fsync of the directory. A blob that exists is complete and is not written again. Temporary
 * files a crash left behind are removed by {@link #removeTemporaries}.
 */
final class Blobs {
    static final String TEMP_PREFIX = ".tmp-";
    static final String SPOOL = ".spool";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 64 * 1024;

    enum Kind {
        BLOB("blobs", "airlock blob v1"),
        MANIFEST("manifests", "airlock manifest v1");

        final String folder;
        final String context;

        Kind(String folder, String context) {
            this.folder = folder;
            this.context = context;
        }
    }

    /** A workspace's keys: the tenant's data key and the id key derived from it. */
    record Keys(String tenant, String workspace, SecretKey data, SecretKey ids) {
        static Keys of(DataKeys dataKeys, String tenant, String workspace) {
            SecretKey data = dataKeys.forTenant(tenant);
            byte[] derived = hmac(new SecretKeySpec(data.getEncoded(), "HmacSHA256"),
                    Aead.context("airlock blob id key v1", tenant, workspace));
            return new Keys(tenant, workspace, data, new SecretKeySpec(derived, "HmacSHA256"));
        }

        byte[] context(Kind kind, String id) {
            return Aead.context(kind.context, tenant, workspace, id);
        }

        Mac mac() {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(ids);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is available in every JDK", e);
            }
        }
    }

    /** Where the bytes to store come from; opened twice: once to hash, once to seal. */
    interface Source {
        InputStream open() throws IOException;
    }

    /** A stored blob: its id and plaintext size. */
    record Stored(String id, long size, boolean written) {}

    private final Path root;

    Blobs(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path workspaceDir(String workspace) {
        return root.resolve(workspace);
    }

    private Path file(Keys k, Kind kind, String id) {
        if (!ID.matcher(id).matches()) {
            throw new IntegrityException("not a blob id: a manifest or row was altered");
        }
        return root.resolve(k.workspace()).resolve(kind.folder).resolve(id.substring(0, 2)).resolve(id);
    }

    static byte[] hmac(SecretKey key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available in every JDK", e);
        }
    }

    Stored putBytes(Keys k, Kind kind, byte[] content) throws IOException {
        return put(k, kind, () -> new java.io.ByteArrayInputStream(content), Long.MAX_VALUE);
    }

    /**
     * Stores what {@code source} holds, unless a blob with that content exists.
     *
     * @param maxBytes the most the source may hold; more fails with {@link WorkspaceLimitException}
     * @throws IOException if the source changed between its two reads, or cannot be read
     */
    Stored put(Keys k, Kind kind, Source source, long maxBytes) throws IOException {
        return put(k, kind, source, maxBytes, null);
    }

    /**
     * A set of blobs made durable together: {@link #put(Keys, Kind, Source, long, Batch)} with a batch
     * writes each to a temporary file only; {@link #commit()} then syncs the file system once, renames
     * every file into place, and syncs once more. Until then none of them exists under its id.
     */
    final class Batch {
        private final java.util.Map<Path, Path> pending = new java.util.LinkedHashMap<>(); // target -> temp

        /** Makes every blob of the batch durable under its id. */
        void commit() throws IOException {
            if (pending.isEmpty()) {
                return;
            }
            SyncFs.sync(root); // contents (and new directories) durable before any name points at them
            for (var e : pending.entrySet()) {
                Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            pending.clear();
            SyncFs.sync(root); // and the names
        }

        /** Deletes what the batch wrote; for a commit that failed. */
        void abort() {
            for (Path temp : pending.values()) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // removed by removeTemporaries at the next start
                }
            }
            pending.clear();
        }

        private boolean has(Path target) {
            return pending.containsKey(target);
        }

        private void add(Path target, Path temp) {
            pending.put(target, temp);
        }
    }

    Batch batch() {
        return new Batch();
    }

    /** As {@link #put(Keys, Kind, Source, long)}; with a batch, durability and the rename wait for its commit. */
    Stored put(Keys k, Kind kind, Source source, long maxBytes, @org.jspecify.annotations.Nullable Batch batch) throws IOException {
        Mac mac = k.mac();
        long size;
        try (InputStream in = source.open()) {
            size = digest(in, mac, null, maxBytes);
        }
        String id = HexFormat.of().formatHex(mac.doFinal());
        Path target = file(k, kind, id);
        if (Files.exists(target) || (batch != null && batch.has(target))) {
            return new Stored(id, size, false);
        }
        Path dir = target.getParent();
        createDirectories(dir, batch == null);
        Path temp = dir.resolve(TEMP_PREFIX + randomHex(12));
        boolean done = false;
        try {
            Mac again = k.mac();
            long sealedSize;
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                    InputStream in = source.open();
                    OutputStream sealed = SealedStreams.sealing(unclosed(Channels.newOutputStream(ch)), k.data(), k.context(kind, id))) {
                sealedSize = digest(in, again, sealed, maxBytes);
                sealed.close();
                if (batch == null) {
                    ch.force(true);
                }
            }
            if (sealedSize != size || !HexFormat.of().formatHex(again.doFinal()).equals(id)) {
                throw new IOException("the content changed while it was being stored; nothing of it was kept");
            }
            if (batch != null) {
                batch.add(target, temp);
                done = true;
                return new Stored(id, size, true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            fsync(dir);
            return new Stored(id, size, true);
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static long digest(InputStream in, Mac mac, OutputStream out, long maxBytes) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > maxBytes) {
                throw new WorkspaceLimitException("too large: more than the workspace limit of " + maxBytes + " bytes left for files");
            }
            mac.update(buf, 0, n);
            if (out != null) {
                out.write(buf, 0, n);
            }
        }
        return total;
    }

    boolean exists(Keys k, Kind kind, String id) {
        return Files.exists(file(k, kind, id));
    }

    /**
     * The plaintext of a blob; reading it throws an {@link IOException} caused by an {@link
     * IntegrityException} where the blob fails authentication.
     */
    InputStream open(Keys k, Kind kind, String id) throws IOException {
        Path f = file(k, kind, id);
        InputStream in;
        try {
            in = Files.newInputStream(f);
        } catch (NoSuchFileException e) {
            throw new IntegrityException("blob " + id + " of workspace " + k.workspace() + " is missing from " + f.getParent());
        }
        try {
            return SealedStreams.opening(in, k.data(), k.context(kind, id));
        } catch (IOException e) {
            in.close();
            throw rethrow(e);
        }
    }

    byte[] readAll(Keys k, Kind kind, String id) {
        try (InputStream in = open(k, kind, id)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw rethrow(e);
        }
    }

    /** An integrity failure unwrapped; any other I/O failure as an unchecked one. */
    static RuntimeException rethrow(IOException e) {
        if (e.getCause() instanceof IntegrityException ie) {
            return ie;
        }
        return new UncheckedIOException(e);
    }

    /** Deletes a workspace's stored content. */
    void deleteWorkspace(String workspace) {
        Path dir = workspaceDir(workspace);
        try {
            deleteTree(dir);
        } catch (IOException e) {
            throw new AirlockException("cannot delete the stored content of workspace " + workspace + " under " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a directory with everything in it (ours: no links are followed by the walk). */
    void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Removes temporary files a crash left under {@code dir} (a workspace's directory, or the spool);
     * call before any write there. @return how many
     */
    int removeTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    /** Ids of the blobs of one kind stored for a workspace. */
    Set<String> ids(String workspace, Kind kind) throws IOException {
        Path dir = workspaceDir(workspace).resolve(kind.folder);
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> walk = Files.walk(dir, 2)) {
            return walk.map(p -> p.getFileName().toString()).filter(n -> ID.matcher(n).matches())
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    void delete(Keys k, Kind kind, String id) throws IOException {
        Files.deleteIfExists(file(k, kind, id));
    }

    /** Creates the directory and its missing parents, each made durable in its own parent now or by a batch's sync. */
    private void createDirectories(Path dir, boolean durableNow) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && !parent.equals(root.getParent())) {
            createDirectories(parent, durableNow);
        }
        try {
            Files.createDirectory(dir);
            if (durableNow) {
                fsync(parent);
            }
        } catch (FileAlreadyExistsException e) {
            // another commit made it
        }
    }

    static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** An output stream whose close only flushes, so the channel can be forced before it is closed. */
    private static OutputStream unclosed(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    /** Spool names are temporary names, so a crash's leftovers are removed like any other. */
    Path spoolDir() throws IOException {
        Path dir = root.resolve(SPOOL);
        Files.createDirectories(dir);
        return dir;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
