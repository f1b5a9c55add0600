package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.ScratchVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
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
 */
final class ScratchVolumes {
    private static final Logger log = LoggerFactory.getLogger(ScratchVolumes.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,79}");

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
            Files.createDirectories(root);
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
        return new Volume(dir);
    }

    /** Unmounts and removes every volume left by an earlier server; returns how many there were. */
    int sweep() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        int n = 0;
        for (Path dir : dirs) {
            if (release(dir)) {
                n++;
            }
        }
        return n;
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
        return mounted;
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir); // an empty mount point once unmounted; never recursive into a live tmpfs
        } catch (IOException e) {
            log.atWarn().addKeyValue("volume", dir).log("scratch volume directory kept: {}", e.toString());
        }
    }

    private static final class Volume implements ScratchVolume {
        private final Path path;
        private final AtomicBoolean closed = new AtomicBoolean();

        Volume(Path path) {
            this.path = path;
        }

        @Override
        public Path path() {
            return path;
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
