package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.runtime.ContainerSyscalls.SyscallException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounting and unmounting through {@code mount(2)}/{@code umount2(2)}, and reading the host's mount
 * table from {@code /proc/self/mountinfo}.
 *
 * <p>Unmounting is tolerant: a path that is not (or no longer) a mount point counts as unmounted,
 * a busy mount is retried briefly and then detached lazily ({@code MNT_DETACH}) so teardown never
 * hangs on a mount some stray process still holds.
 */
final class Mounts {
    private static final Logger LOG = LoggerFactory.getLogger(Mounts.class);
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final int BUSY_RETRIES = 20;

    private Mounts() {}

    /** Mounts an ext4 file system from a block device, without atime updates or device nodes. */
    static void mountExt4(Path device, Path target) {
        // noinit_itable: the golden image's inode tables are holes (zeros); don't spend I/O zeroing them.
        ContainerSyscalls.mount(
                device.toString(),
                target,
                "ext4",
                ContainerSyscalls.MS_NOATIME | ContainerSyscalls.MS_NODEV | ContainerSyscalls.MS_NOSUID,
                "noinit_itable");
    }

    /**
     * Mounts an overlay of {@code lower} (never written) under {@code upper}/{@code work} at
     * {@code target}. {@code index}, {@code xino}, {@code redirect_dir} and {@code metacopy} are off:
     * none is needed for a single-layer sandbox root, and with them off the lower directory's
     * inodes are never recorded anywhere, so one template can be shared by any number of sandboxes.
     *
     * @throws RuntimeFailureException if a path contains a character overlayfs options cannot carry
     */
    static void mountOverlay(Path lower, Path upper, Path work, Path target) {
        String data = "lowerdir=" + option(lower) + ",upperdir=" + option(upper) + ",workdir=" + option(work)
                + ",index=off,xino=off,redirect_dir=off,metacopy=off";
        ContainerSyscalls.mount("overlay", target, "overlay", ContainerSyscalls.MS_NODEV, data);
    }

    /**
     * Unmounts {@code target} if it is mounted. Tolerates a path that is missing or not a mount point.
     *
     * @return whether something was unmounted
     * @throws SyscallException if unmounting fails for another reason
     */
    static boolean unmount(Path target) {
        for (int attempt = 0; ; attempt++) {
            try {
                ContainerSyscalls.umount2(target, ContainerSyscalls.UMOUNT_NOFOLLOW);
                return true;
            } catch (SyscallException e) {
                if (e.errno() == ContainerSyscalls.EINVAL || e.errno() == ContainerSyscalls.ENOENT) {
                    return false;
                }
                if (e.errno() != ContainerSyscalls.EBUSY) {
                    throw e;
                }
                if (attempt >= BUSY_RETRIES) {
                    LOG.warn("{} still busy after {} attempts; detaching it lazily", target, attempt);
                    ContainerSyscalls.umount2(target, ContainerSyscalls.MNT_DETACH | ContainerSyscalls.UMOUNT_NOFOLLOW);
                    return true;
                }
                pause(attempt);
            }
        }
    }

    /** Mount points at or below {@code dir}, deepest first (the order to unmount them in). */
    static List<Path> under(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (Path mountPoint : mountPoints()) {
            if (mountPoint.startsWith(base)) {
                found.add(mountPoint);
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    /** Every mount point in this process's mount namespace, in mount order (duplicates kept). */
    static List<Path> mountPoints() {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
        List<Path> points = new ArrayList<>(lines.size());
        for (String line : lines) {
            // id parent major:minor root mount-point options ...
            String[] fields = line.split(" ", 6);
            if (fields.length >= 5) {
                points.add(Path.of(unescape(fields[4])));
            }
        }
        return points;
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo} octal. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    private static String option(Path p) {
        String s = p.toAbsolutePath().toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw new RuntimeFailureException("path " + s + " contains ',', ':' or '\\', which overlayfs options cannot carry");
        }
        return s;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(50, 1L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while waiting for a busy mount", e);
        }
    }
}
