package io.airlock.store.workspace;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.IntegrityException;
import io.airlock.core.crypto.MasterKeys;
import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.Change.EntryType;
import io.airlock.core.workspace.Change.Kind;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.CommitResult.Outcome;
import io.airlock.core.workspace.Workspace;
import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.WorkspaceNotFoundException;
import io.airlock.core.workspace.WorkspaceVersion;
import io.airlock.core.workspace.Workspaces;
import io.airlock.store.Store;
import io.airlock.testing.FakeClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.crypto.SecretKey;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the workspace store does, whatever the database; subclasses run it on SQLite and PostgreSQL. */
abstract class WorkspaceStoreContract {
    static final String A = "t_alpha";
    static final String B = "t_beta";

    @TempDir
    Path tmp;

    final FakeClock clock = FakeClock.create();
    final SecretKey master = Aead.newKey();
    Store store;
    DataKeys keys;
    Workspaces ws;
    Path root;

    abstract Store openStore() throws Exception;

    /** Database files to search for plaintext, if the vendor keeps them where the test can read. */
    List<Path> databaseFiles() {
        return List.of();
    }

    @BeforeEach
    void open() throws Exception {
        root = tmp.resolve("workspaces");
        reopen(WorkspaceLimits.standard());
    }

    void reopen(WorkspaceLimits limits) throws Exception {
        if (store != null) {
            store.close();
        }
        store = openStore();
        keys = new DataKeys(MasterKeys.of(master), store.wrappedKeys());
        ws = store.workspaces(keys, root, limits);
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- helpers

    Path dir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve("dirs").resolve(name));
    }

    static void write(Path dir, String path, String content) throws IOException {
        Path f = dir.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
    }

    /** Everything under a directory: path → "dir", "link:target" or the file's content. */
    static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir");
                } else {
                    out.put(rel, Files.readString(p));
                }
            }
        }
        return out;
    }

    Checkout checkout(String tenant, String name, Integer version, String into) throws IOException {
        return ws.checkout(tenant, name, version, true, dir(into), uid(), gid());
    }

    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    static int gid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    }

    /** Commits a directory holding exactly {@code files} to the workspace's head. */
    CommitResult commitFiles(String tenant, String name, Map<String, String> files) throws IOException {
        Path d = tmp.resolve("c" + System.nanoTime());
        Checkout c = ws.checkout(tenant, name, null, true, Files.createDirectories(d), uid(), gid());
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(d)).toList()) {
                Files.delete(p);
            }
        }
        for (var e : files.entrySet()) {
            write(d, e.getKey(), e.getValue());
        }
        return ws.commit(c, d, "test");
    }

    List<Path> blobFiles(Workspace w) throws IOException {
        Path dir = root.resolve(w.id()).resolve("blobs");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    // ---- CRUD and isolation

    @Test
    void create_list_get_delete() throws Exception {
        Workspace w = ws.create(A, "proj");
        assertThat(w.head()).isZero();
        assertThat(w.id()).startsWith("w_");
        ws.create(A, "other");
        assertThat(ws.list(A)).extracting(Workspace::name).containsExactly("other", "proj");
        assertThat(ws.get(A, "proj")).isEqualTo(w);
        commitFiles(A, "proj", Map.of("a.txt", "hello"));
        assertThat(ws.get(A, "proj").files()).isEqualTo(1);
        assertThat(ws.get(A, "proj").bytes()).isEqualTo(5);
        assertThat(root.resolve(w.id())).exists();

        ws.delete(A, "proj");
        assertThatThrownBy(() -> ws.get(A, "proj")).isInstanceOf(WorkspaceNotFoundException.class).hasMessageContaining("proj");
        assertThat(root.resolve(w.id())).doesNotExist();
        assertThat(ws.list(A)).extracting(Workspace::name).containsExactly("other");
        assertThat(ws.create(A, "proj").id()).isNotEqualTo(w.id()); // the name is free again
    }

    @Test
    void create_refusesBadAndDuplicateNames() {
        ws.create(A, "proj");
        assertThatThrownBy(() -> ws.create(A, "proj")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("already").extracting("field").isEqualTo("name");
        for (String bad : List.of("", "a/b", "x".repeat(65), "sp ace", "..", ".", "-x", "a\u0000")) {
            assertThatThrownBy(() -> ws.create(A, bad)).isInstanceOf(InvalidRequestException.class).extracting("field").isEqualTo("name");
        }
        ws.create(B, "proj"); // names are per tenant
    }

    @Test
    void anotherTenantsWorkspace_isNotFound_likeAMissingOne() throws Exception {
        ws.create(A, "secret");
        commitFiles(A, "secret", Map.of("f", "x"));
        assertThat(ws.list(B)).isEmpty();
        assertThatThrownBy(() -> ws.get(B, "secret")).isInstanceOf(WorkspaceNotFoundException.class)
                .hasMessage("no workspace named 'secret'");
        assertThatThrownBy(() -> ws.versions(B, "secret")).isInstanceOf(WorkspaceNotFoundException.class);
        assertThatThrownBy(() -> ws.exportArchive(B, "secret", 0, OutputStream.nullOutputStream()))
                .isInstanceOf(WorkspaceNotFoundException.class);
        assertThatThrownBy(() -> ws.delete(B, "secret")).isInstanceOf(WorkspaceNotFoundException.class);
        Checkout forged = new Checkout(ws.get(A, "secret").id(), B, "secret", 1, true);
        assertThatThrownBy(() -> ws.commit(forged, dir("empty"), "x")).isInstanceOf(WorkspaceNotFoundException.class);
        assertThat(ws.get(A, "secret").head()).isEqualTo(1);
    }

    // ---- versions

    @Test
    void commit_versions_diff_checkout_restore() throws Exception {
        ws.create(A, "p");
        Path d = dir("one");
        Checkout c0 = ws.checkout(A, "p", null, true, d, uid(), gid());
        assertThat(c0.base()).isZero();
        assertThat(contents(d)).isEmpty();
        write(d, "src/main.py", "print(1)");
        write(d, "README", "hi");
        Files.createSymbolicLink(d.resolve("link"), Path.of("src/main.py"));
        Files.setPosixFilePermissions(d.resolve("src/main.py"), PosixFilePermissions.fromString("rwxr-x---"));
        CommitResult r1 = ws.commit(c0, d, "sandbox:sb1");
        assertThat(r1.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(r1.version().number()).isEqualTo(1);
        assertThat(r1.version().origin()).isEqualTo("sandbox:sb1");
        assertThat(r1.version().changes()).containsExactly(
                new Change("README", Kind.ADDED, EntryType.FILE, 2),
                new Change("link", Kind.ADDED, EntryType.LINK, 0),
                new Change("src", Kind.ADDED, EntryType.DIR, 0),
                new Change("src/main.py", Kind.ADDED, EntryType.FILE, 8));
        assertThat(ws.commit(ws.checkout(A, "p", null, true, dir("same"), uid(), gid()), dir("same"), "x").outcome())
                .isEqualTo(Outcome.UNCHANGED);

        Path d2 = dir("two");
        Checkout c1 = ws.checkout(A, "p", null, true, d2, uid(), gid());
        assertThat(contents(d2)).isEqualTo(Map.of("README", "hi", "link", "link:src/main.py", "src", "dir", "src/main.py", "print(1)"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d2.resolve("src/main.py")))).isEqualTo("rwxr-x---");
        Files.delete(d2.resolve("README"));
        write(d2, "src/main.py", "print(22)");
        CommitResult r2 = ws.commit(c1, d2, "sandbox:sb2");
        assertThat(r2.version().number()).isEqualTo(2);
        assertThat(r2.version().parent()).isEqualTo(1);
        assertThat(ws.version(A, "p", 2).changes()).containsExactly(
                new Change("README", Kind.DELETED, EntryType.FILE, 2),
                new Change("src/main.py", Kind.MODIFIED, EntryType.FILE, 9));
        assertThat(ws.versions(A, "p")).extracting(WorkspaceVersion::number).containsExactly(2, 1);
        assertThat(ws.versions(A, "p").get(0).changes()).isNull();
        assertThat(ws.diff(A, "p", 0, 2)).extracting(Change::path).containsExactly("link", "src", "src/main.py");
        assertThat(ws.diff(A, "p", 2, 1)).containsExactly(
                new Change("README", Kind.ADDED, EntryType.FILE, 2),
                new Change("src/main.py", Kind.MODIFIED, EntryType.FILE, 8));
        assertThatThrownBy(() -> ws.version(A, "p", 3)).isInstanceOf(WorkspaceNotFoundException.class).hasMessageContaining("no version 3");

        CommitResult restored = ws.restore(A, "p", 1);
        assertThat(restored.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(restored.version().number()).isEqualTo(3);
        assertThat(restored.version().origin()).isEqualTo("restore:1");
        Path d3 = dir("three");
        ws.checkout(A, "p", null, false, d3, uid(), gid());
        assertThat(contents(d3)).isEqualTo(contents(dir("one")));
        Path old = dir("old");
        assertThat(ws.checkout(A, "p", 2, false, old, uid(), gid()).base()).isEqualTo(2);
        assertThat(contents(old)).containsEntry("src/main.py", "print(22)").doesNotContainKey("README");
    }

    @Test
    void sameContentTwice_isStoredOnce() throws Exception {
        Workspace w = ws.create(A, "p");
        String big = "x".repeat(100_000);
        commitFiles(A, "p", Map.of("a", big, "b/c", big, "d", "other"));
        assertThat(blobFiles(w)).hasSize(2);
        commitFiles(A, "p", Map.of("a", big, "b/c", big, "d", "other", "e", big));
        assertThat(blobFiles(w)).hasSize(2);
        assertThat(ws.get(A, "p").bytes()).isEqualTo(300_005);
    }

    @Test
    void readOnlyCheckout_isNeverCommitted() throws Exception {
        ws.create(A, "p");
        Path d = dir("ro");
        Checkout c = ws.checkout(A, "p", null, false, d, uid(), gid());
        write(d, "f", "x");
        assertThat(ws.commit(c, d, "x").outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(ws.get(A, "p").head()).isZero();
    }

    // ---- concurrent sandboxes

    @Test
    void twoSandboxesChangingDifferentFiles_areMerged() throws Exception {
        ws.create(A, "p");
        commitFiles(A, "p", Map.of("a", "1", "b", "2"));
        Path d1 = dir("s1");
        Path d2 = dir("s2");
        Checkout c1 = checkout(A, "p", null, "s1");
        Checkout c2 = checkout(A, "p", null, "s2");
        write(d1, "a", "1 from s1");
        write(d2, "b", "2 from s2");
        write(d2, "new", "3");
        assertThat(ws.commit(c1, d1, "sandbox:s1").outcome()).isEqualTo(Outcome.COMMITTED);
        CommitResult merged = ws.commit(c2, d2, "sandbox:s2");
        assertThat(merged.outcome()).isEqualTo(Outcome.MERGED);
        assertThat(merged.version().parent()).isEqualTo(2);
        assertThat(ws.get(A, "p").head()).isEqualTo(merged.version().number());
        Path after = dir("after");
        checkout(A, "p", null, "after");
        assertThat(contents(after)).isEqualTo(Map.of("a", "1 from s1", "b", "2 from s2", "new", "3"));
    }

    @Test
    void twoSandboxesChangingTheSameFile_isAConflictKeptAsABranch() throws Exception {
        ws.create(A, "p");
        commitFiles(A, "p", Map.of("a", "1", "b", "2"));
        Path d1 = dir("s1");
        Path d2 = dir("s2");
        Checkout c1 = checkout(A, "p", null, "s1");
        Checkout c2 = checkout(A, "p", null, "s2");
        write(d1, "a", "s1's a");
        write(d2, "a", "s2's a");
        write(d2, "b", "s2's b");
        assertThat(ws.commit(c1, d1, "sandbox:s1").outcome()).isEqualTo(Outcome.COMMITTED);
        CommitResult conflict = ws.commit(c2, d2, "sandbox:s2");
        assertThat(conflict.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(conflict.conflicts()).containsExactly("a");
        WorkspaceVersion branch = conflict.version();
        assertThat(branch.conflict()).isTrue();
        assertThat(branch.parent()).isEqualTo(1);
        assertThat(ws.get(A, "p").head()).isEqualTo(2); // untouched
        assertThat(ws.versions(A, "p").get(0).conflicts()).containsExactly("a");
        assertThat(ws.version(A, "p", branch.number()).conflicts()).containsExactly("a");
        Path head = dir("head");
        checkout(A, "p", null, "head");
        assertThat(contents(head)).isEqualTo(Map.of("a", "s1's a", "b", "2"));
        Path kept = dir("kept"); // nothing lost: the branch holds s2's work
        checkout(A, "p", branch.number(), "kept");
        assertThat(contents(kept)).isEqualTo(Map.of("a", "s2's a", "b", "s2's b"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manySandboxesCommittingAtOnce_loseNoWrite() throws Exception {
        ws.create(A, "p");
        commitFiles(A, "p", Map.of("shared", "base"));
        int n = 8;
        List<Checkout> checkouts = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dirs.add(dir("s" + i));
            checkouts.add(checkout(A, "p", null, "s" + i));
            write(dirs.get(i), "own-" + i, "written by " + i);
        }
        List<java.util.concurrent.Future<CommitResult>> results = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> ws.commit(checkouts.get(k), dirs.get(k), "sandbox:" + k)));
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (var f : results) {
            outcomes.add(f.get().outcome());
        }
        assertThat(outcomes).containsOnly(Outcome.COMMITTED, Outcome.MERGED);
        assertThat(outcomes).containsOnlyOnce(Outcome.COMMITTED);
        Path head = dir("head");
        checkout(A, "p", null, "head");
        Map<String, String> expected = new TreeMap<>(Map.of("shared", "base"));
        for (int i = 0; i < n; i++) {
            expected.put("own-" + i, "written by " + i);
        }
        assertThat(contents(head)).isEqualTo(expected);
        // One commit, and n - 1 merges that each keep the sandbox's own tree as a version before merging it.
        assertThat(ws.get(A, "p").head()).isEqualTo(1 + n + (n - 1));
        assertThat(ws.versions(A, "p")).filteredOn(v -> !v.conflict()).hasSize(1 + n + (n - 1));
    }

    // ---- encryption

    @Test
    void ciphertextSwappedBetweenTenants_failsAuthentication() throws Exception {
        Workspace wa = ws.create(A, "p");
        Workspace wb = ws.create(B, "p");
        commitFiles(A, "p", Map.of("f", "tenant A's data"));
        commitFiles(B, "p", Map.of("f", "tenant B's data"));
        Path blobA = blobFiles(wa).get(0);
        Path blobB = blobFiles(wb).get(0);
        Files.copy(blobB, blobA, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ws.exportArchive(A, "p", 0, OutputStream.nullOutputStream())).isInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> checkout(A, "p", null, "x")).isInstanceOf(IntegrityException.class);
        // B's own blob still opens under B's key: the failure above is the key and context, not damage
        Path ok = dir("ok");
        checkout(B, "p", null, "ok");
        assertThat(contents(ok)).containsEntry("f", "tenant B's data");
    }

    @Test
    void aTamperedBlob_failsAuthentication() throws Exception {
        Workspace w = ws.create(A, "p");
        commitFiles(A, "p", Map.of("f", "data"));
        Path blob = blobFiles(w).get(0);
        byte[] b = Files.readAllBytes(blob);
        b[b.length - 1] ^= 1;
        Files.write(blob, b);
        assertThatThrownBy(() -> checkout(A, "p", null, "x")).isInstanceOf(IntegrityException.class);
    }

    @Test
    void noPlaintextOfContentOrNames_underTheRootOrInTheDatabase() throws Exception {
        ws.create(A, "p");
        String content = "CONTENT-MARKER-4f1c93b7";
        String name = "NAME-MARKER-8e2d";
        commitFiles(A, "p", Map.of(name + "/" + name + ".txt", content + "\n" + content));
        ws.importArchive(A, "p", new ByteArrayInputStream(tar(t -> addFile(t, name + "-up.txt", content))));
        ws.restore(A, "p", 1);
        store.close();
        List<Path> searched = new ArrayList<>(databaseFiles());
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(searched::add);
        }
        assertThat(searched).hasSizeGreaterThan(3);
        for (Path f : searched) {
            String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).as(f.toString()).doesNotContain("MARKER");
            assertThat(f.toString()).doesNotContain("MARKER");
        }
        store = openStore(); // for @AfterEach
    }

    // ---- hostile directories

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void hostileDirectory_linksKeptNotFollowed_specialFilesSkipped() throws Exception {
        Workspace w = ws.create(A, "p");
        Path d = dir("hostile");
        Checkout c = ws.checkout(A, "p", null, true, d, uid(), gid());
        write(d, "ok.txt", "fine");
        Files.createSymbolicLink(d.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(d.resolve("etc"), Path.of("/etc"));
        Path fifo = d.resolve("fifo");
        exec("mkfifo", fifo.toString());
        exec("mknod", d.resolve("null").toString(), "c", "1", "3");
        assertThat(Files.readAttributes(d.resolve("null"), java.nio.file.attribute.BasicFileAttributes.class).isOther()).isTrue();

        CommitResult r = ws.commit(c, d, "sandbox:evil");
        assertThat(r.version().changes()).containsExactly(
                new Change("etc", Kind.ADDED, EntryType.LINK, 0),
                new Change("ok.txt", Kind.ADDED, EntryType.FILE, 4),
                new Change("passwd", Kind.ADDED, EntryType.LINK, 0));
        assertThat(blobFiles(w)).hasSize(1); // only ok.txt's content was read
        Path back = dir("back");
        checkout(A, "p", null, "back");
        assertThat(contents(back)).isEqualTo(Map.of("ok.txt", "fine", "passwd", "link:/etc/passwd", "etc", "link:/etc"));
    }

    @Test
    void hostileDirectory_beyondTheLimits_isRefusedWhole() throws Exception {
        reopen(new WorkspaceLimits(1000, 5));
        ws.create(A, "p");
        Path d = dir("big");
        Checkout c = ws.checkout(A, "p", null, true, d, uid(), gid());
        write(d, "big", "x".repeat(1001));
        assertThatThrownBy(() -> ws.commit(c, d, "x")).isInstanceOf(WorkspaceLimitException.class).hasMessageContaining("1000 bytes");
        Files.delete(d.resolve("big"));
        for (int i = 0; i < 6; i++) {
            write(d, "f" + i, "");
        }
        assertThatThrownBy(() -> ws.commit(c, d, "x")).isInstanceOf(WorkspaceLimitException.class).hasMessageContaining("limit of 5");
        assertThat(ws.get(A, "p").head()).isZero();
        assertThat(ws.versions(A, "p")).isEmpty();
    }

    // ---- archives

    interface TarBody {
        void add(TarArchiveOutputStream t) throws IOException;
    }

    static byte[] tar(TarBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.add(t);
        }
        return out.toByteArray();
    }

    static void addFile(TarArchiveOutputStream t, String name, String content) throws IOException {
        byte[] b = content.getBytes(UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }

    static void addSpecial(TarArchiveOutputStream t, String name, byte type, String link) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        if (link != null) {
            e.setLinkName(link);
        }
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    static byte[] zip(String name, String content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
            z.putArchiveEntry(new ZipArchiveEntry(name));
            z.write(content.getBytes(UTF_8));
            z.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void archive_roundTrip_tarGzipAndZip() throws Exception {
        ws.create(A, "p");
        byte[] in = tar(t -> {
            addFile(t, "./dir/a.txt", "alpha");
            addFile(t, "b.txt", "beta");
            addSpecial(t, "lnk", TarConstants.LF_SYMLINK, "dir/a.txt");
            addFile(t, "deep/" + "n".repeat(200) + "/f", "long name");
        });
        CommitResult r = ws.importArchive(A, "p", new ByteArrayInputStream(in));
        assertThat(r.outcome()).isEqualTo(Outcome.COMMITTED);
        assertThat(r.version().origin()).isEqualTo("upload");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ws.exportArchive(A, "p", 0, out);
        Map<String, String> exported = new TreeMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                exported.put(e.getName(), e.isSymbolicLink() ? "link:" + e.getLinkName() : e.isDirectory() ? "dir" : new String(t.readAllBytes(), UTF_8));
            }
        }
        assertThat(exported).isEqualTo(Map.of("dir/", "dir", "dir/a.txt", "alpha", "b.txt", "beta", "lnk", "link:dir/a.txt",
                "deep/", "dir", "deep/" + "n".repeat(200) + "/", "dir", "deep/" + "n".repeat(200) + "/f", "long name"));
        assertThat(ws.importArchive(A, "p", new ByteArrayInputStream(out.toByteArray())).outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(ws.importArchive(A, "p", new ByteArrayInputStream(gzip(in))).outcome()).isEqualTo(Outcome.UNCHANGED);

        CommitResult z = ws.importArchive(A, "p", new ByteArrayInputStream(zip("z/only.txt", "zipped")));
        assertThat(z.version().number()).isEqualTo(2);
        Path d = dir("z");
        checkout(A, "p", null, "z");
        assertThat(contents(d)).isEqualTo(Map.of("z", "dir", "z/only.txt", "zipped"));
        ws.exportArchive(A, "p", 1, OutputStream.nullOutputStream()); // older versions export too
    }

    @Test
    void archive_attacks_areRefusedNamingTheEntry() throws Exception {
        ws.create(A, "p");
        Map<String, byte[]> attacks = new TreeMap<>();
        attacks.put("../x", tar(t -> addFile(t, "../x", "slip")));
        attacks.put("a/../../x", tar(t -> addFile(t, "a/../../x", "slip")));
        attacks.put("/etc/x", tar(t -> addFile(t, "/etc/x", "abs")));
        attacks.put("a/x", tar(t -> {
            addSpecial(t, "a", TarConstants.LF_SYMLINK, "/tmp");
            addFile(t, "a/x", "through the link");
        }));
        attacks.put("hard", tar(t -> addSpecial(t, "hard", TarConstants.LF_LINK, "ok")));
        attacks.put("chardev", tar(t -> addSpecial(t, "chardev", TarConstants.LF_CHR, null)));
        attacks.put("blockdev", tar(t -> addSpecial(t, "blockdev", TarConstants.LF_BLK, null)));
        attacks.put("fifo", tar(t -> addSpecial(t, "fifo", TarConstants.LF_FIFO, null)));
        attacks.put("../zipslip", zip("../zipslip", "x"));
        attacks.put("/zipabs", zip("/zipabs", "x"));
        for (var attack : attacks.entrySet()) {
            assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(attack.getValue())))
                    .as(attack.getKey())
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("'" + attack.getKey() + "'")
                    .extracting("field").isEqualTo("archive");
            assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(gzip(attack.getValue()))))
                    .as(attack.getKey() + " gzipped")
                    .isInstanceOf(InvalidRequestException.class);
        }
        assertThat(ws.versions(A, "p")).isEmpty();
        assertThat(Path.of("/tmp/x")).doesNotExist();
    }

    @Test
    void archive_garbageAndLimits_areRefused() throws Exception {
        reopen(new WorkspaceLimits(100, 3));
        ws.create(A, "p");
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream("not an archive at all".repeat(40).getBytes(UTF_8))))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(tar(t -> addFile(t, "big", "x".repeat(101))))))
                .isInstanceOf(WorkspaceLimitException.class).hasMessageContaining("big");
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(tar(t -> {
            for (int i = 0; i < 4; i++) {
                addFile(t, "f" + i, "");
            }
        })))).isInstanceOf(WorkspaceLimitException.class).hasMessageContaining("limit of 3");
        // a gzip bomb stops at the limit instead of inflating
        byte[] bomb = gzip(tar(t -> addFile(t, "zeros", "\0".repeat(50 << 20))));
        assertThat(bomb.length).isLessThan(1 << 20);
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(bomb)))
                .isInstanceOf(WorkspaceLimitException.class).hasMessageContaining("zeros");
        assertThatThrownBy(() -> ws.importArchive(A, "p", new ByteArrayInputStream(gzip(zip("z", "x")))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a tar");
        assertThat(ws.versions(A, "p")).isEmpty();
    }

    @Test
    void archive_hugePaxHeader_isRefusedBeforeItIsHeldInMemory() throws Exception {
        ws.create(A, "p");
        long size = 64L << 20; // a pax header claiming 64 MiB of records
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        TarArchiveEntry pax = new TarArchiveEntry("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        pax.setSize(size);
        byte[] block = new byte[512];
        pax.writeEntryHeader(block);
        head.write(block);
        head.write(("67108864 path=").getBytes(UTF_8));
        java.io.InputStream endless = new java.io.SequenceInputStream(new ByteArrayInputStream(head.toByteArray()),
                new ByteArrayInputStream(new byte[(int) size]));
        assertThatThrownBy(() -> ws.importArchive(A, "p", endless)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("pax header of " + size + " bytes");
        // ordinary pax headers (long names, sizes) still pass
        String longName = ("n".repeat(200) + "/").repeat(3) + "f";
        CommitResult ok = ws.importArchive(A, "p", new ByteArrayInputStream(tar(t -> {
            addFile(t, longName, "long");
            addFile(t, "after", "still in step");
        })));
        assertThat(ok.version().changes()).extracting(Change::path).contains(longName, "after");
    }

    // ---- recovery

    @Test
    void reopening_removesTemporaryFilesACrashLeft() throws Exception {
        Workspace w = ws.create(A, "p");
        commitFiles(A, "p", Map.of("f", "x"));
        Path shard = blobFiles(w).get(0).getParent();
        Path temp = Files.writeString(shard.resolve(Blobs.TEMP_PREFIX + "abc"), "torn");
        Path spool = Files.createDirectories(root.resolve(".spool")).resolve(Blobs.TEMP_PREFIX + "def");
        Files.writeString(spool, "torn");
        reopen(WorkspaceLimits.standard());
        assertThat(temp).doesNotExist();
        assertThat(spool).doesNotExist();
        Path d = dir("after");
        checkout(A, "p", null, "after");
        assertThat(contents(d)).isEqualTo(Map.of("f", "x"));
    }

    @Test
    void reopening_sweepsWhatACommitInterruptedBeforeItsTransactionStored() throws Exception {
        Workspace w = ws.create(A, "p");
        commitFiles(A, "p", Map.of("f", "kept", "g", "kept too"));
        commitFiles(A, "p", Map.of("f", "newer"));
        List<Path> live = blobFiles(w);
        assertThat(live).hasSize(3); // every version's blobs stay, not just the head's
        String orphanId = "ab" + "0".repeat(62);
        Path orphan = Files.createDirectories(root.resolve(w.id()).resolve("blobs/ab")).resolve(orphanId);
        Files.writeString(orphan, "sealed bytes of a commit that never reached its transaction");
        Path marker = Files.createDirectories(root.resolve(w.id()).resolve("inflight")).resolve("0123456789abcdef");
        Files.createFile(marker);

        reopen(WorkspaceLimits.standard());

        assertThat(orphan).doesNotExist();
        assertThat(marker).doesNotExist();
        assertThat(blobFiles(w)).containsExactlyInAnyOrderElementsOf(live);
        Path v1 = dir("v1");
        checkout(A, "p", 1, "v1");
        assertThat(contents(v1)).isEqualTo(Map.of("f", "kept", "g", "kept too"));
    }

    @Test
    void commits_leaveNoInFlightMarkerBehind() throws Exception {
        Workspace w = ws.create(A, "p");
        commitFiles(A, "p", Map.of("f", "x"));
        ws.importArchive(A, "p", new ByteArrayInputStream(tar(t -> addFile(t, "g", "y"))));
        ws.restore(A, "p", 1);
        try (Stream<Path> markers = Files.list(root.resolve(w.id()).resolve("inflight"))) {
            assertThat(markers).isEmpty();
        }
    }

    static void exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
