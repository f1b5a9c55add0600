package io.airlock.store.workspace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.airlock.core.AirlockException;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.CommitResult.Outcome;
import io.airlock.core.workspace.Workspace;
import io.airlock.core.workspace.WorkspaceNotFoundException;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.WorkspaceVersion;
import io.airlock.core.workspace.Workspaces;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces over the database (names, heads, version rows) and sealed blobs on disk (content
 * and manifests).
 *
 * <p>A commit is made durable in this order: every blob (fsynced, renamed, directory fsynced),
 * then the manifest blob the same way, then one transaction that inserts the version row and
 * moves the head by compare-and-set. Only once that transaction commits is the version
 * acknowledged, so a crash at any point loses no acknowledged version; what a crashed commit
 * wrote before its transaction is unreferenced, sealed content (temporary files are removed at
 * open). Commits to one workspace are also serialised in memory.
 */
final class SqlWorkspaces implements Workspaces {
    private static final Logger log = LoggerFactory.getLogger(SqlWorkspaces.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String SELECT = "SELECT w.id, w.tenant_id, w.name, w.head, w.created_at, v.files, v.bytes FROM workspaces w"
            + " LEFT JOIN workspace_versions v ON v.workspace_id = w.id AND v.number = w.head";
    private static final String INFLIGHT = "inflight";
    private static final String VERSION_COLUMNS = "number, parent, created_at, origin, conflict, files, bytes, manifest, changes, conflicts";

    private final Jdbi jdbi;
    private final Blobs blobs;
    private final DataKeys dataKeys;
    private final WorkspaceLimits limits;
    private final InstantSource clock;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    SqlWorkspaces(Jdbi jdbi, Path root, DataKeys dataKeys, WorkspaceLimits limits, InstantSource clock) {
        this.jdbi = jdbi;
        this.blobs = new Blobs(root);
        this.dataKeys = dataKeys;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Removes what crashed commits and deletes left on disk: temporary files, content of deleted
     * workspaces. Only workspaces with a commit in flight are walked: every write happens inside
     * one ({@link #inflight}), so the rest cannot hold a temporary file.
     */
    void recover() {
        try {
            Swept swept = sweepInterrupted();
            int temps = blobs.removeTemporaries(blobs.root().resolve(Blobs.SPOOL)) + swept.temporaries();
            int orphans = 0;
            if (Files.isDirectory(blobs.root())) {
                Set<String> known = new HashSet<>(jdbi.withHandle(h -> h.createQuery("SELECT id FROM workspaces").mapTo(String.class).list()));
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobs.root(), "w_*")) {
                    for (Path p : ds) {
                        if (!known.contains(p.getFileName().toString())) {
                            blobs.deleteWorkspace(p.getFileName().toString());
                            orphans++;
                        }
                    }
                }
            }
            if (temps > 0 || orphans > 0 || swept.unreferenced() > 0) {
                log.atWarn().addKeyValue("temporaryFiles", temps).addKeyValue("deletedWorkspaces", orphans)
                        .addKeyValue("unreferencedBlobs", swept.unreferenced())
                        .log("workspace storage cleaned up after an earlier server");
            }
        } catch (IOException e) {
            throw new AirlockException("cannot clean up workspace storage under " + blobs.root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Mark and sweep for workspaces with a commit in flight when the last server stopped: blobs
     * and manifests no version references (a crashed commit's) are deleted. Runs before any new
     * commit can start, so nothing is being written meanwhile.
     *
     * @return how many temporary files, and how many unreferenced blobs and manifests, were deleted
     */
    private Swept sweepInterrupted() throws IOException {
        if (!Files.isDirectory(blobs.root())) {
            return new Swept(0, 0);
        }
        int temporaries = 0;
        int deleted = 0;
        List<Row> rows = jdbi.withHandle(h -> h.createQuery(SELECT).map((rs, ctx) -> row(rs)).list());
        for (Row w : rows) {
            Path inflight = blobs.workspaceDir(w.id()).resolve(INFLIGHT);
            if (!Files.isDirectory(inflight)) {
                continue;
            }
            temporaries += blobs.removeTemporaries(blobs.workspaceDir(w.id()));
            List<String> manifests = jdbi.withHandle(h -> h.createQuery("SELECT manifest FROM workspace_versions WHERE workspace_id = :w")
                    .bind("w", w.id()).mapTo(String.class).list());
            Blobs.Keys k = keys(w);
            Set<String> liveBlobs = new HashSet<>();
            for (String m : new HashSet<>(manifests)) {
                for (Entry e : Tree.fromJson(blobs.readAll(k, Blobs.Kind.MANIFEST, m)).entries()) {
                    if (e.blob() != null) {
                        liveBlobs.add(e.blob());
                    }
                }
            }
            for (String id : blobs.ids(w.id(), Blobs.Kind.BLOB)) {
                if (!liveBlobs.contains(id)) {
                    blobs.delete(k, Blobs.Kind.BLOB, id);
                    deleted++;
                }
            }
            for (String id : blobs.ids(w.id(), Blobs.Kind.MANIFEST)) {
                if (!manifests.contains(id)) {
                    blobs.delete(k, Blobs.Kind.MANIFEST, id);
                    deleted++;
                }
            }
            blobs.deleteTree(inflight);
        }
        return new Swept(temporaries, deleted);
    }

    private record Swept(int temporaries, int unreferenced) {}

    /**
     * Marks a commit in flight for a workspace until closed, so a crash before its transaction
     * leads the next start to sweep what it stored ({@link #sweepInterrupted}).
     */
    private AutoCloseable inflight(Row w) {
        try {
            Path dir = blobs.workspaceDir(w.id()).resolve(INFLIGHT);
            Files.createDirectories(dir);
            Path marker = Files.createFile(dir.resolve(Blobs.randomHex(8)));
            Blobs.fsync(dir);
            return () -> Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new AirlockException("cannot start a commit to workspace '" + w.name() + "': " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.atWarn().setCause(e).log("cannot remove a commit's in-flight marker; the next start sweeps this workspace");
        }
    }

    // ---- rows

    private record Row(String id, String tenant, String name, int head, long createdAt, int files, long bytes) {
        Workspace view() {
            return new Workspace(id, tenant, name, head, Instant.ofEpochMilli(createdAt), files, bytes);
        }
    }

    private record VRow(int number, int parent, long createdAt, String origin, boolean conflict, int files, long bytes,
            String manifest, String changes, @Nullable String conflicts) {}

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5), rs.getInt(6), rs.getLong(7));
    }

    private static VRow vrow(ResultSet rs) throws SQLException {
        return new VRow(rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getBoolean(5), rs.getInt(6), rs.getLong(7),
                rs.getString(8), rs.getString(9), rs.getString(10));
    }

    private Row find(String tenant, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE w.tenant_id = :t AND w.name = :n")
                        .bind("t", tenant).bind("n", name).map((rs, ctx) -> row(rs)).findOne())
                .orElseThrow(() -> new WorkspaceNotFoundException("no workspace named '" + name + "'"));
    }

    private Row byId(String tenant, String id, String name) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE w.tenant_id = :t AND w.id = :id")
                        .bind("t", tenant).bind("id", id).map((rs, ctx) -> row(rs)).findOne())
                .orElseThrow(() -> new WorkspaceNotFoundException("workspace '" + name + "' was deleted after it was checked out"));
    }

    private Optional<VRow> findVersion(String workspaceId, int number) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + VERSION_COLUMNS + " FROM workspace_versions"
                        + " WHERE workspace_id = :w AND number = :n")
                .bind("w", workspaceId).bind("n", number).map((rs, ctx) -> vrow(rs)).findOne());
    }

    private VRow versionRow(Row w, int number) {
        return findVersion(w.id(), number).orElseThrow(() -> new WorkspaceNotFoundException(
                "workspace '" + w.name() + "' has no version " + number + "; its head is version " + w.head()));
    }

    private Blobs.Keys keys(Row w) {
        return Blobs.Keys.of(dataKeys, w.tenant(), w.id());
    }

    private Tree tree(Row w, int number) {
        if (number == 0) {
            return Tree.EMPTY;
        }
        VRow v = versionRow(w, number);
        return Tree.fromJson(blobs.readAll(keys(w), Blobs.Kind.MANIFEST, v.manifest()));
    }

    private WorkspaceVersion view(Row w, VRow v, boolean withChanges) {
        List<Change> changes = null;
        if (withChanges) {
            changes = unseal(w, "changes", v.number(), v.changes(), new TypeReference<List<Change>>() {});
        }
        List<String> conflicts = v.conflicts() == null ? List.of()
                : unseal(w, "conflicts", v.number(), v.conflicts(), new TypeReference<List<String>>() {});
        return new WorkspaceVersion(v.number(), v.parent(), Instant.ofEpochMilli(v.createdAt()), v.origin(), v.conflict(), v.files(),
                v.bytes(), changes, conflicts);
    }

    private byte[] context(Row w, String what, int number) {
        return Aead.context("airlock workspace " + what + " v1", w.tenant(), w.id(), Integer.toString(number));
    }

    private String seal(Row w, String what, int number, Object value) {
        try {
            return Base64.getEncoder().encodeToString(Aead.seal(keys(w).data(), context(w, what, number), JSON.writeValueAsBytes(value)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T unseal(Row w, String what, int number, String sealed, TypeReference<T> type) {
        byte[] plain = Aead.open(keys(w).data(), context(w, what, number), Base64.getDecoder().decode(sealed));
        try {
            return JSON.readValue(plain, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the port

    @Override
    public Workspace create(String tenant, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("name", "a workspace name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got '"
                    + (name == null ? "" : name.length() > 80 ? name.substring(0, 80) + "…" : name) + "'");
        }
        String id = "w_" + Blobs.randomHex(16);
        long now = clock.millis();
        int inserted = jdbi.withHandle(h -> h.createUpdate("INSERT INTO workspaces (id, tenant_id, name, head, created_at)"
                        + " VALUES (:id, :t, :n, 0, :at) ON CONFLICT (tenant_id, name) DO NOTHING")
                .bind("id", id).bind("t", tenant).bind("n", name).bind("at", now).execute());
        if (inserted == 0) {
            throw new InvalidRequestException("name", "you already have a workspace named '" + name
                    + "'; pick another name or delete that one first");
        }
        return new Workspace(id, tenant, name, 0, Instant.ofEpochMilli(now), 0, 0);
    }

    @Override
    public List<Workspace> list(String tenant) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE w.tenant_id = :t ORDER BY w.name")
                .bind("t", tenant).map((rs, ctx) -> row(rs).view()).list());
    }

    @Override
    public Workspace get(String tenant, String name) {
        return find(tenant, name).view();
    }

    @Override
    public void delete(String tenant, String name) {
        Row w = find(tenant, name);
        ReentrantLock lock = lock(w.id());
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("DELETE FROM workspace_versions WHERE workspace_id = :w").bind("w", w.id()).execute();
                h.createUpdate("DELETE FROM workspaces WHERE id = :w").bind("w", w.id()).execute();
            });
            blobs.deleteWorkspace(w.id()); // a crash before this is finished by recover()
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<WorkspaceVersion> versions(String tenant, String name) {
        Row w = find(tenant, name);
        List<VRow> rows = jdbi.withHandle(h -> h.createQuery("SELECT " + VERSION_COLUMNS + " FROM workspace_versions"
                        + " WHERE workspace_id = :w ORDER BY number DESC")
                .bind("w", w.id()).map((rs, ctx) -> vrow(rs)).list());
        return rows.stream().map(v -> view(w, v, false)).toList();
    }

    @Override
    public WorkspaceVersion version(String tenant, String name, int number) {
        Row w = find(tenant, name);
        return view(w, versionRow(w, number), true);
    }

    @Override
    public List<Change> diff(String tenant, String name, int from, int to) {
        Row w = find(tenant, name);
        return Tree.diff(tree(w, from), tree(w, to));
    }

    @Override
    public CommitResult restore(String tenant, String name, int number) {
        Row w = find(tenant, name);
        if (number <= 0) {
            throw new InvalidRequestException("version", "restore needs a version number of 1 or more; got " + number);
        }
        Tree t = tree(w, number);
        AutoCloseable marker = inflight(w);
        try {
            return commitTree(w, null, t, "restore:" + number);
        } finally {
            closeQuietly(marker);
        }
    }

    @Override
    public void exportArchive(String tenant, String name, int number, OutputStream out) {
        Row w = find(tenant, name);
        int n = number == 0 ? w.head() : number;
        Instant time = n == 0 ? Instant.ofEpochMilli(w.createdAt()) : Instant.ofEpochMilli(versionRow(w, n).createdAt());
        try {
            Archives.write(tree(w, n), time, out, blobs, keys(w));
        } catch (IOException e) {
            throw Blobs.rethrow(e);
        }
    }

    @Override
    public CommitResult importArchive(String tenant, String name, InputStream archive) {
        Row w = find(tenant, name);
        AutoCloseable marker = inflight(w);
        try {
            Tree t;
            Blobs.Batch batch = blobs.batch(); // an upload refused half-way leaves nothing behind
            try {
                t = Archives.read(archive, blobs, keys(w), limits, batch);
                batch.commit();
            } catch (IOException e) {
                batch.abort();
                throw new InvalidRequestException("archive", "the archive could not be read: " + e.getMessage());
            } catch (RuntimeException e) {
                batch.abort();
                throw e;
            }
            return commitTree(w, null, t, "upload");
        } finally {
            closeQuietly(marker);
        }
    }

    @Override
    public Checkout checkout(String tenant, String name, @Nullable Integer version, boolean readWrite, Path target, int uid, int gid) {
        Row w = find(tenant, name);
        int n = version == null ? w.head() : version;
        if (n < 0) {
            throw new InvalidRequestException("version", "a version number is 0 or more; got " + n);
        }
        Tree t = tree(w, n);
        try {
            DirWriter.write(t, target, blobs, keys(w), uid, gid);
        } catch (IOException e) {
            throw new AirlockException("cannot check out workspace '" + name + "' version " + n + " into " + target + ": "
                    + e.getMessage(), e);
        }
        return new Checkout(w.id(), w.tenant(), w.name(), n, readWrite);
    }

    /** A read-only checkout is never committed: {@link Outcome#UNCHANGED}, without reading {@code dir}. */
    @Override
    public CommitResult commit(Checkout checkout, Path dir, String origin) {
        if (!checkout.readWrite()) {
            return CommitResult.unchanged();
        }
        Row w = byId(checkout.tenant(), checkout.workspaceId(), checkout.name());
        AutoCloseable marker = inflight(w);
        try {
            DirReader.Result read;
            Blobs.Batch batch = blobs.batch();
            try {
                read = DirReader.read(dir, blobs, keys(w), limits, batch);
                batch.commit();
            } catch (IOException e) {
                batch.abort();
                throw new AirlockException("cannot commit workspace '" + w.name() + "' from " + dir + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                batch.abort();
                throw e;
            }
            if (read.skipped() > 0) {
                log.atWarn().addKeyValue("workspace", w.id()).addKeyValue("skipped", read.skipped()).addKeyValue("origin", origin)
                        .log("commit skipped FIFOs, sockets or devices: only files, directories and symlinks are kept");
            }
            return commitTree(w, checkout.base(), read.tree(), origin);
        } finally {
            closeQuietly(marker);
        }
    }

    /**
     * Commits a tree against {@code base} ({@code null}: against the head, whatever it is).
     * Blobs are already stored; this writes the manifest and the row.
     */
    private CommitResult commitTree(Row stale, @Nullable Integer base, Tree mine, String origin) {
        Map<String, String> problems = mine.problems();
        if (!problems.isEmpty()) { // trees are built valid; this guards the invariant every version relies on
            throw new IllegalStateException("refusing to commit an invalid tree (" + problems.size() + " bad paths)");
        }
        mine.checkLimits(limits);
        ReentrantLock lock = lock(stale.id());
        try {
            Row w = byId(stale.tenant(), stale.id(), stale.name()); // the head as it is now
            int b = base == null ? w.head() : base;
            Tree baseTree = tree(w, b);
            if (mine.sameAs(baseTree)) {
                return CommitResult.unchanged();
            }
            if (w.head() == b) {
                return new CommitResult(Outcome.COMMITTED, write(w, b, baseTree, mine, origin, List.of(), true), List.of());
            }
            Tree headTree = tree(w, w.head());
            Tree.Merge merge = Tree.merge(baseTree, headTree, mine);
            if (merge.tree() != null) {
                if (merge.tree().sameAs(headTree)) {
                    return CommitResult.unchanged();
                }
                merge.tree().checkLimits(limits);
                // The committed tree is kept as a version of its own (not the head), then merged onto the head. A
                // sandbox that syncs again commits against its own version, so it never conflicts with itself.
                WorkspaceVersion own = write(w, b, baseTree, mine, origin, List.of(), false);
                WorkspaceVersion merged = write(byId(w.tenant(), w.id(), w.name()), w.head(), headTree, merge.tree(), origin,
                        List.of(), true);
                return new CommitResult(Outcome.MERGED, merged, List.of(), own.number());
            }
            WorkspaceVersion branch = write(w, b, baseTree, mine, origin, merge.conflicts(), false);
            return new CommitResult(Outcome.CONFLICT, branch, merge.conflicts());
        } finally {
            lock.unlock();
        }
    }

    /** Writes the manifest, then in one transaction the version row and, if {@code moveHead}, the new head. */
    private WorkspaceVersion write(Row w, int parent, Tree parentTree, Tree tree, String origin, List<String> conflicts,
            boolean moveHead) {
        Blobs.Stored manifest;
        try {
            manifest = blobs.putBytes(keys(w), Blobs.Kind.MANIFEST, tree.toJson());
        } catch (IOException e) {
            throw new AirlockException("cannot store a manifest for workspace '" + w.name() + "': " + e.getMessage(), e);
        }
        List<Change> changes = Tree.diff(parentTree, tree);
        boolean conflict = !conflicts.isEmpty();
        long now = clock.millis();
        VRow v = jdbi.inTransaction(h -> {
            int number = h.createQuery("SELECT COALESCE(MAX(number), 0) + 1 FROM workspace_versions WHERE workspace_id = :w")
                    .bind("w", w.id()).mapTo(Integer.class).one();
            VRow row = new VRow(number, parent, now, origin, conflict, tree.files(), tree.bytes(), manifest.id(),
                    seal(w, "changes", number, changes), conflict ? seal(w, "conflicts", number, conflicts) : null);
            insert(h, w, row);
            if (moveHead) {
                int moved = h.createUpdate("UPDATE workspaces SET head = :n WHERE id = :w AND head = :expected")
                        .bind("n", number).bind("w", w.id()).bind("expected", w.head()).execute();
                if (moved != 1) {
                    throw new AirlockException("workspace '" + w.name() + "' changed or was deleted during the commit (its head was "
                            + w.head() + "); nothing was committed, try again");
                }
            }
            return row;
        });
        return view(w, v, true);
    }

    private static void insert(Handle h, Row w, VRow v) {
        h.createUpdate("INSERT INTO workspace_versions (workspace_id, " + VERSION_COLUMNS + ") VALUES (:w, :number, :parent,"
                        + " :at, :origin, :conflict, :files, :bytes, :manifest, :changes, :conflicts)")
                .bind("w", w.id()).bind("number", v.number()).bind("parent", v.parent()).bind("at", v.createdAt())
                .bind("origin", v.origin()).bind("conflict", v.conflict()).bind("files", v.files()).bind("bytes", v.bytes())
                .bind("manifest", v.manifest()).bind("changes", v.changes()).bind("conflicts", v.conflicts())
                .execute();
    }

    private ReentrantLock lock(String workspaceId) {
        ReentrantLock lock = locks.computeIfAbsent(workspaceId, k -> new ReentrantLock());
        lock.lock();
        return lock;
    }
}
