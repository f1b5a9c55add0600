package io.airlock.store.workspace;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.Change.EntryType;
import io.airlock.core.workspace.Change.Kind;
import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A workspace version's tree: its entries by path, in path order (a directory sorts before what
 * it holds). Immutable. Holds no content, only blob ids; the pure logic of versions lives here:
 * validity, diff and three-way merge.
 */
final class Tree {
    static final int MAX_PATH_BYTES = 4096;
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_DEPTH = 256;
    static final Tree EMPTY = new Tree(new TreeMap<>());
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final NavigableMap<String, Entry> entries;

    private Tree(NavigableMap<String, Entry> entries) {
        this.entries = entries;
    }

    static Tree of(Collection<Entry> entries) {
        TreeMap<String, Entry> map = new TreeMap<>();
        for (Entry e : entries) {
            if (map.put(e.path(), e) != null) {
                throw new IllegalArgumentException("two entries for one path");
            }
        }
        return new Tree(map);
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    @Nullable Entry get(String path) {
        return entries.get(path);
    }

    int size() {
        return entries.size();
    }

    /** Files and links: what {@link io.airlock.core.workspace.WorkspaceVersion#files()} counts. */
    int files() {
        return (int) entries.values().stream().filter(e -> e.type() != EntryType.DIR).count();
    }

    long bytes() {
        return entries.values().stream().mapToLong(Entry::size).sum();
    }

    boolean sameAs(Tree o) {
        if (o.entries.size() != entries.size()) {
            return false;
        }
        for (Entry e : entries.values()) {
            if (!e.sameAs(o.entries.get(e.path())) ) {
                return false;
            }
        }
        return true;
    }

    // ---- validity

    /** What is wrong with {@code path} as a tree path, or {@code null} if nothing. */
    static @Nullable String pathProblem(String path) {
        if (path.isEmpty()) {
            return "the path is empty";
        }
        if (path.indexOf('\0') >= 0) {
            return "the path contains a NUL character";
        }
        if (path.startsWith("/")) {
            return "the path is absolute; only paths relative to the workspace are allowed";
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return "the path is longer than " + MAX_PATH_BYTES + " bytes";
        }
        String[] parts = path.split("/", -1);
        if (parts.length > MAX_DEPTH) {
            return "the path is more than " + MAX_DEPTH + " levels deep";
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                return "the path has an empty component (a doubled or trailing '/')";
            }
            if (p.equals(".") || p.equals("..")) {
                return "the path has a '" + p + "' component";
            }
            if (p.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                return "a component of the path is longer than " + MAX_NAME_BYTES + " bytes";
            }
        }
        return null;
    }

    /** What is wrong with a symlink's target, or {@code null} if nothing. Targets are kept verbatim. */
    static @Nullable String targetProblem(String target) {
        if (target.isEmpty()) {
            return "the link target is empty";
        }
        if (target.indexOf('\0') >= 0) {
            return "the link target contains a NUL character";
        }
        if (target.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return "the link target is longer than " + MAX_PATH_BYTES + " bytes";
        }
        return null;
    }

    /** The parent of a path, or {@code null} at the top. */
    static @Nullable String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }

    /**
     * Paths that make this tree invalid, each with the reason: a bad path or link target, or an
     * ancestor that is missing or is not a directory (an entry "under" a file or a link). Empty if
     * valid.
     */
    Map<String, String> problems() {
        Map<String, String> out = new TreeMap<>();
        for (Entry e : entries.values()) {
            String problem = pathProblem(e.path());
            if (problem == null && e.type() == EntryType.LINK) {
                problem = targetProblem(e.target());
            }
            if (problem == null) {
                String parent = parent(e.path());
                if (parent != null) {
                    Entry p = entries.get(parent);
                    if (p == null) {
                        problem = "its directory '" + parent + "' is not in the tree";
                    } else if (p.type() != EntryType.DIR) {
                        problem = "'" + parent + "' is a " + p.type().name().toLowerCase() + ", not a directory";
                    }
                }
            }
            if (problem != null) {
                out.put(e.path(), problem);
            }
        }
        return out;
    }

    /** @throws WorkspaceLimitException if the tree is beyond the limits */
    /**
     * The most a tree's paths may add up to (with a per-entry allowance): bounds the manifest, the
     * change set and the memory a commit or merge holds, whatever the entry limit.
     */
    static final long MAX_TREE_PATH_BYTES = 32L << 20;

    void checkLimits(WorkspaceLimits limits) {
        long pathBytes = 0;
        for (String p : entries.keySet()) {
            pathBytes += p.length() + 64;
        }
        if (pathBytes > MAX_TREE_PATH_BYTES) {
            throw new WorkspaceLimitException("too many or too long paths: the tree's paths pass " + (MAX_TREE_PATH_BYTES >> 20)
                    + " MiB; shorten or remove some");
        }
        if (entries.size() > limits.maxEntries()) {
            throw new WorkspaceLimitException("too many entries: " + entries.size() + " files, directories and links, more than the "
                    + "workspace limit of " + limits.maxEntries());
        }
        long bytes = bytes();
        if (bytes > limits.maxBytes()) {
            throw new WorkspaceLimitException("too large: " + bytes + " bytes of files, more than the workspace limit of "
                    + limits.maxBytes() + " bytes");
        }
    }

    // ---- diff and merge

    /** What changed from {@code from} to {@code to}, in path order. */
    static List<Change> diff(Tree from, Tree to) {
        Set<String> paths = new TreeSet<>(from.entries.keySet());
        paths.addAll(to.entries.keySet());
        List<Change> out = new ArrayList<>();
        for (String p : paths) {
            Entry a = from.entries.get(p);
            Entry b = to.entries.get(p);
            if (a == null) {
                out.add(new Change(p, Kind.ADDED, b.type(), b.size()));
            } else if (b == null) {
                out.add(new Change(p, Kind.DELETED, a.type(), a.size()));
            } else if (!a.sameAs(b)) {
                out.add(new Change(p, Kind.MODIFIED, b.type(), b.size()));
            }
        }
        return out;
    }

    /**
     * A three-way merge by path.
     *
     * @param tree the merged tree, or {@code null} on conflict
     * @param conflicts paths changed on both sides to different results, or whose merged result
     *     is not a valid tree (e.g. a file added into a directory the other side deleted)
     */
    record Merge(@Nullable Tree tree, List<String> conflicts) {}

    static Merge merge(Tree base, Tree head, Tree mine) {
        Set<String> paths = new TreeSet<>(base.entries.keySet());
        paths.addAll(head.entries.keySet());
        paths.addAll(mine.entries.keySet());
        TreeMap<String, Entry> out = new TreeMap<>();
        List<String> conflicts = new ArrayList<>();
        for (String p : paths) {
            Entry b = base.entries.get(p);
            Entry h = head.entries.get(p);
            Entry m = mine.entries.get(p);
            Entry taken;
            if (same(h, b)) {
                taken = m;
            } else if (same(m, b) || same(m, h)) {
                taken = h;
            } else {
                conflicts.add(p);
                continue;
            }
            if (taken != null) {
                out.put(p, taken);
            }
        }
        if (!conflicts.isEmpty()) {
            return new Merge(null, conflicts);
        }
        Tree merged = new Tree(out);
        Map<String, String> problems = merged.problems();
        if (!problems.isEmpty()) {
            return new Merge(null, List.copyOf(problems.keySet()));
        }
        return new Merge(merged, List.of());
    }

    private static boolean same(@Nullable Entry a, @Nullable Entry b) {
        return a == null ? b == null : a.sameAs(b);
    }

    // ---- manifest form

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Json(String p, String t, int m, long s, @Nullable String b, @Nullable String l) {}

    record Manifest(int v, List<Json> e) {}

    byte[] toJson() {
        List<Json> out = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            out.add(new Json(e.path(), e.type().name(), e.mode(), e.size(), e.blob(), e.target()));
        }
        try {
            return JSON.writeValueAsBytes(new Manifest(1, out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tree fromJson(byte[] json) {
        try {
            Manifest m = JSON.readValue(json, Manifest.class);
            if (m.v() != 1) {
                throw new IllegalStateException("manifest version " + m.v() + " is not known to this server");
            }
            List<Entry> entries = new ArrayList<>(m.e().size());
            for (Json j : m.e()) {
                entries.add(new Entry(j.p(), EntryType.valueOf(j.t()), j.m(), j.s(), j.b(), j.l()));
            }
            return of(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable manifest: " + e.getMessage(), e);
        }
    }
}
