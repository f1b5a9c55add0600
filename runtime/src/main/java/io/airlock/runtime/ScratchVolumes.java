package io.airlock.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.ScratchVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scratch volumes: one tmpfs each, under {@code <stateRoot>/volumes/<name>}. A tmpfs gives a
 * workspace checkout what it needs from the kernel itself: a byte cap ({@code size}), an entry cap
 * ({@code nr_inodes}), no device nodes or set-uid binaries, and content that lives in memory only
 * and is gone at unmount, so a sandbox's plaintext files never reach persistent disk.
 *
 * <p>Labels, if any, are kept in {@code <name>.labels} beside the mount point, out of the
 * sandbox's reach; a labelled volume survives {@link #sweep()} until its owner has salvaged it.
 */
final class ScratchVolumes {
    private static final Logger log = LoggerFactory.getLogger(ScratchVolumes.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,79}");
    private static final String LABELS = ".labels";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    ScratchVolumes(Path stateRoot) {
        this.root = stateRoot.resolve("volumes");
    }

    ScratchVolume create(String name, long bytes, long inodes, int uid, int gid) {
        if (!NAME.matcher(name).matches()) {
            throw new RuntimeFailureException("scratch volume name '" + name + "' must match " + NAME);
        }
        if (bytes < 4096 || inodes < 1 || uid < 0 || gid < 0) {
            throw new RuntimeFailureException("scratch volume " + name + ": bad limits bytes=" + bytes + " inodes=" + inodes
                    + " owner=" + uid + ":" + gid);
        }
        Path dir = root.resolve(name);
        try {
            if (!Files.isDirectory(root)) {
                // Traversable, not listable: other local users cannot find checkouts by name.
                Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            }
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot create scratch volume directory " + dir + ": " + e, e);
        }
        try {
            ContainerSyscalls.mount("airlock-scratch", dir, "tmpfs", ContainerSyscalls.MS_NOSUID | ContainerSyscalls.MS_NODEV,
                    "size=" + bytes + ",nr_inodes=" + inodes + ",mode=0755,uid=" + uid + ",gid=" + gid);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw new RuntimeFailureException("cannot mount scratch volume " + dir + ": " + e.getMessage(), e);
        }
        return new Volume(dir, Map.of());
    }

    /**
     * Unmounts and removes every unlabelled volume an earlier server left; labelled ones stay for
     * {@link #leftovers()}. Returns how many were removed.
     */
    int sweep() {
        int n = 0;
        for (Path dir : dirs()) {
            if (!Files.exists(labelsFile(dir)) && release(dir)) {
                n++;
            }
        }
        return n;
    }

    /** The labelled volumes an earlier server left, each to be closed by whoever salvages it. */
    List<ScratchVolume> leftovers() {
        List<ScratchVolume> out = new ArrayList<>();
        for (Path dir : dirs()) {
            Path labels = labelsFile(dir);
            if (Files.exists(labels)) {
                Map<String, String> read;
                try {
                    read = JSON.readValue(Files.readAllBytes(labels), new TypeReference<Map<String, String>>() {});
                } catch (IOException e) {
                    log.atWarn().addKeyValue("volume", dir).log("unreadable labels, volume discarded: {}", e.toString());
                    read = Map.of();
                }
                out.add(new Volume(dir, read));
            }
        }
        return out;
    }

    private List<Path> dirs() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> !p.getFileName().toString().endsWith(LABELS) && !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static Path labelsFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + LABELS);
    }

    private static boolean release(Path dir) {
        boolean mounted;
        try {
            mounted = Mounts.unmount(dir);
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("volume", dir).log("cannot unmount scratch volume: {}", e.getMessage());
            return false;
        }
        deleteQuietly(dir);
        deleteQuietly(labelsFile(dir));
        return mounted;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path); // an empty mount point once unmounted; never recursive into a live tmpfs
        } catch (IOException e) {
            log.atWarn().addKeyValue("volume", path).log("scratch volume path kept: {}", e.toString());
        }
    }

    private static final class Volume implements ScratchVolume {
        private final Path path;
        private volatile Map<String, String> labels;
        private final AtomicBoolean closed = new AtomicBoolean();

        Volume(Path path, Map<String, String> labels) {
            this.path = path;
            this.labels = labels;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public Map<String, String> labels() {
            return labels;
        }

        @Override
        public synchronized void label(Map<String, String> next) {
            if (closed.get()) {
                return;
            }
            Path file = labelsFile(path);
            try {
                Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
                Files.write(temp, JSON.writeValueAsBytes(next));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new RuntimeFailureException("cannot label scratch volume " + path + ": " + e, e);
            }
            labels = Map.copyOf(next);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(path);
            }
        }

        @Override
        public String toString() {
            return "ScratchVolume[" + path + "]";
        }
    }
}
