package io.airlock.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host's cgroup v1 hierarchies as a whole: which are mounted, which sandbox cgroups exist under
 * a parent, and which processes live in them. Used for recovery sweeps and leak checks, where no
 * single {@link CgroupV1} is known yet.
 */
final class CgroupHierarchies {
    /** Where the hierarchies are mounted on a cgroup v1 (or hybrid) host. */
    static final Path ROOT = Path.of("/sys/fs/cgroup");

    private CgroupHierarchies() {}

    /** The mounted hierarchies: every directory under {@code root} that has a {@code cgroup.procs}. */
    static List<Path> list(Path root) {
        Map<Path, Path> byRealPath = new LinkedHashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (Files.isRegularFile(dir.resolve("cgroup.procs"))) {
                    byRealPath.putIfAbsent(dir.toRealPath(), dir); // cpu and cpuacct may be one hierarchy
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list cgroup hierarchies under " + root, e);
        }
        return List.copyOf(byRealPath.values());
    }

    /** Names of the child cgroups of {@code parent} in any hierarchy (the sandbox ids found there). */
    static Set<String> children(Path root, String parent) {
        Set<String> names = new TreeSet<>();
        for (Path hierarchy : list(root)) {
            Path dir = hierarchy.resolve(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                children.forEach(c -> names.add(c.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return names;
    }

    /**
     * Live host processes whose {@code /proc/PID/cgroup} names a cgroup at or below {@code path}
     * (e.g. {@code /airlock}) in any hierarchy. Zombies are not counted: a killed task leaves
     * {@code cgroup.procs} at once and then waits, holding nothing but its PID, for its parent to
     * reap it. A container's init is reparented to the host's init, which on some hosts reaps
     * only every second or so, so waiting for zombies would make every destroy that slow.
     */
    static Set<Integer> processesUnder(String path) {
        String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Set<Integer> pids = new TreeSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    int afterComm = stat.lastIndexOf(')');
                    if (afterComm < 0 || afterComm + 2 >= stat.length() || stat.charAt(afterComm + 2) == 'Z') {
                        continue;
                    }
                    // each line: hierarchy-id:controllers:path
                    if (Files.readAllLines(proc.resolve("cgroup")).stream()
                            .map(l -> l.substring(l.indexOf(':', l.indexOf(':') + 1) + 1))
                            .anyMatch(p -> p.equals(base) || p.startsWith(base + "/"))) {
                        pids.add(Integer.parseInt(proc.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // the process went away while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return pids;
    }
}
