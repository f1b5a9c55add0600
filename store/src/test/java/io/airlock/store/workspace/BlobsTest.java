package io.airlock.store.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.IntegrityException;
import io.airlock.core.crypto.MasterKeys;
import io.airlock.core.crypto.WrappedKey;
import io.airlock.core.crypto.WrappedKeyStore;
import io.airlock.core.workspace.WorkspaceLimitException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed, content-addressed blobs: naming, sealing context, dedup, torn and changed input. */
class BlobsTest {
    @TempDir
    Path root;

    private final DataKeys keys = new DataKeys(MasterKeys.of(Aead.newKey()), new MemoryKeys());

    private Blobs.Keys keys(String tenant, String workspace) {
        return Blobs.Keys.of(keys, tenant, workspace);
    }

    private Path file(String workspace, Blobs.Kind kind, String id) {
        return root.resolve(workspace).resolve(kind.folder).resolve(id.substring(0, 2)).resolve(id);
    }

    @Test
    void roundTrip_acrossChunks_andTheNameRevealsNothing() throws Exception {
        Blobs blobs = new Blobs(root);
        byte[] content = new byte[3 * (1 << 20) + 17]; // several 1 MiB chunks
        new Random(7).nextBytes(content);
        Blobs.Stored s = blobs.put(keys("t1", "w_1"), Blobs.Kind.BLOB, () -> new ByteArrayInputStream(content), Long.MAX_VALUE);
        assertThat(s.size()).isEqualTo(content.length);
        assertThat(s.written()).isTrue();
        assertThat(s.id()).matches("[0-9a-f]{64}");
        assertThat(blobs.readAll(keys("t1", "w_1"), Blobs.Kind.BLOB, s.id())).isEqualTo(content);
        // the same content in another workspace of the same tenant has another name
        Blobs.Stored other = blobs.putBytes(keys("t1", "w_2"), Blobs.Kind.BLOB, content);
        assertThat(other.id()).isNotEqualTo(s.id());
        byte[] onDisk = Files.readAllBytes(file("w_1", Blobs.Kind.BLOB, s.id()));
        assertThat(onDisk.length).isGreaterThan(content.length);
        assertThat(new String(onDisk, java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(content, 0, 64, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void sameContentTwice_isWrittenOnce() throws Exception {
        Blobs blobs = new Blobs(root);
        Blobs.Stored a = blobs.putBytes(keys("t1", "w_1"), Blobs.Kind.BLOB, "same".getBytes());
        long modified = Files.getLastModifiedTime(file("w_1", Blobs.Kind.BLOB, a.id())).toMillis();
        Blobs.Stored b = blobs.putBytes(keys("t1", "w_1"), Blobs.Kind.BLOB, "same".getBytes());
        assertThat(b.id()).isEqualTo(a.id());
        assertThat(b.written()).isFalse();
        assertThat(Files.getLastModifiedTime(file("w_1", Blobs.Kind.BLOB, a.id())).toMillis()).isEqualTo(modified);
    }

    @Test
    void aBlobUnderAnotherNameTenantOrKind_failsAuthentication() throws Exception {
        Blobs blobs = new Blobs(root);
        Blobs.Stored x = blobs.putBytes(keys("t1", "w_1"), Blobs.Kind.BLOB, "x".getBytes());
        Blobs.Stored y = blobs.putBytes(keys("t1", "w_1"), Blobs.Kind.BLOB, "y".getBytes());
        // renamed: the id is in the associated data
        Files.copy(file("w_1", Blobs.Kind.BLOB, x.id()), file("w_1", Blobs.Kind.BLOB, y.id()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> blobs.readAll(keys("t1", "w_1"), Blobs.Kind.BLOB, y.id())).isInstanceOf(IntegrityException.class);
        // another tenant's key and context, at the same place
        Path moved = file("w_1", Blobs.Kind.BLOB, x.id());
        assertThatThrownBy(() -> blobs.readAll(keys("t2", "w_1"), Blobs.Kind.BLOB, x.id())).isInstanceOf(IntegrityException.class);
        // a blob read as a manifest
        Path asManifest = file("w_1", Blobs.Kind.MANIFEST, x.id());
        Files.createDirectories(asManifest.getParent());
        Files.copy(moved, asManifest);
        assertThatThrownBy(() -> blobs.readAll(keys("t1", "w_1"), Blobs.Kind.MANIFEST, x.id())).isInstanceOf(IntegrityException.class);
        // truncated
        byte[] sealed = Files.readAllBytes(moved);
        Files.write(moved, java.util.Arrays.copyOf(sealed, sealed.length - 1));
        assertThatThrownBy(() -> blobs.readAll(keys("t1", "w_1"), Blobs.Kind.BLOB, x.id())).isInstanceOf(IntegrityException.class);
        // a name that is not an id never becomes a path
        assertThatThrownBy(() -> blobs.readAll(keys("t1", "w_1"), Blobs.Kind.BLOB, "../../etc/passwd"))
                .isInstanceOf(IntegrityException.class);
    }

    @Test
    void contentThatChangesBetweenItsTwoReads_isRefused_andLeavesNothing() throws Exception {
        Blobs blobs = new Blobs(root);
        AtomicInteger opens = new AtomicInteger();
        assertThatThrownBy(() -> blobs.put(keys("t1", "w_1"), Blobs.Kind.BLOB,
                () -> new ByteArrayInputStream(opens.getAndIncrement() == 0 ? "first".getBytes() : "second".getBytes()), 100))
                .isInstanceOf(IOException.class).hasMessageContaining("changed");
        try (Stream<Path> walk = Files.walk(root)) {
            assertThat(walk.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void moreThanTheLimit_isRefused() {
        Blobs blobs = new Blobs(root);
        assertThatThrownBy(() -> blobs.put(keys("t1", "w_1"), Blobs.Kind.BLOB, () -> new ByteArrayInputStream(new byte[101]), 100))
                .isInstanceOf(WorkspaceLimitException.class);
    }

    /** Wrapped keys in memory. */
    static final class MemoryKeys implements WrappedKeyStore {
        private final Map<String, WrappedKey> keys = new ConcurrentHashMap<>();

        @Override
        public Optional<WrappedKey> find(String tenant) {
            return Optional.ofNullable(keys.get(tenant));
        }

        @Override
        public WrappedKey insertIfAbsent(WrappedKey key) {
            return keys.computeIfAbsent(key.tenant(), t -> key);
        }

        @Override
        public List<WrappedKey> all() {
            return List.copyOf(keys.values());
        }

        @Override
        public boolean replace(String tenant, String expectedMasterKeyId, WrappedKey next) {
            keys.put(tenant, next);
            return true;
        }
    }
}
