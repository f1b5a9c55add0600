package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases every host resource of one sandbox, in order, from nothing but its layout: used both by
 * {@link Container#destroy()} and by recovery, which has no {@link Container} object.
 *
 * <ol>
 *   <li>kill every task through the cgroup (freeze, SIGKILL, thaw, wait until empty); for runsc this
 *       covers the sentry, its ptrace stubs and the gofer, which are host processes in the cgroup;
 *   <li>{@code runc delete --force} / {@code runsc delete --force};
 *   <li>unmount the overlay root, then the disk (its loop device, set to autoclear, frees itself;
 *       one still bound after a short wait is detached explicitly);
 *   <li>delete the disk image, the bundle and state directory, and the cgroup directories;
 *   <li>delete the marker, last, and only if every step before succeeded: a marker left behind
 *       makes the next {@link ContainerHost#reapAll()} try again.
 * </ol>
 *
 * <p>Each step tolerates resources that are already gone, and a failing step is logged with the
 * state it found while the remaining steps still run. Directory trees are deleted only when no mount
 * lies under them, so a failed unmount can never turn into a recursive delete through a sandbox's
 * files. Never deletes anything a sandbox can write: the writable layer is inside the image file.
 */
final class ContainerTeardown {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerTeardown.class);
    static final Duration KILL_BOUND = Duration.ofSeconds(10);
    private static final Duration LOOP_RELEASE = Duration.ofSeconds(2);
    private static final Duration EXIT_BOUND = Duration.ofSeconds(2);

    private final Path cgroupRoot;

    ContainerTeardown(Path cgroupRoot) {
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * Tears down the sandbox at {@code layout}.
     *
     * @param runtimes the runtimes that may know the container (one when the tier is known; all for
     *     leftovers found without a marker)
     * @return a description of each step that failed; empty when everything, the marker included, is gone
     */
    List<String> run(ContainerLayout layout, Collection<RuncCli> runtimes) {
        List<String> failures = new ArrayList<>();
        CgroupV1 cgroup = new CgroupV1(cgroupRoot, layout.cgroupsPath());
        step(layout, "kill tasks", failures, () -> {
            if (!cgroup.killAll(KILL_BOUND)) {
                throw new RuntimeFailureException("tasks " + cgroup.tasks() + " still in " + cgroup + " after "
                        + KILL_BOUND.toSeconds() + " s of freeze/SIGKILL/thaw");
            }
            if (!cgroup.awaitGone(EXIT_BOUND)) {
                throw new RuntimeFailureException("processes " + CgroupHierarchies.processesUnder(layout.cgroupsPath())
                        + " of " + cgroup + " still alive " + EXIT_BOUND.toMillis() + " ms after leaving it");
            }
        });
        for (RuncCli runtime : runtimes) {
            step(layout, runtime.tier().binary() + " delete", failures, () -> runtime.delete(layout.id()));
        }
        step(layout, "unmount root", failures, () -> unmountAll(layout.stateDir()));
        step(layout, "unmount disk", failures, () -> {
            unmountAll(layout.sandboxDir());
            releaseLoops(layout.image());
        });
        step(layout, "delete image", failures, () -> deleteIfExists(layout.image()));
        step(layout, "delete state", failures, () -> deleteTree(layout.stateDir()));
        step(layout, "remove cgroups", failures, cgroup::remove);
        if (failures.isEmpty()) {
            step(layout, "delete marker", failures, () -> {
                deleteIfExists(layout.marker());
                deleteTree(layout.sandboxDir());
            });
        } else {
            LOG.warn("sandbox {}: keeping marker {} for the next recovery; failed steps: {}", layout.id(), layout.marker(), failures);
        }
        return failures;
    }

    private static void step(ContainerLayout layout, String name, List<String> failures, Runnable action) {
        long start = System.nanoTime();
        try {
            action.run();
            LOG.debug("sandbox {}: {} took {} us", layout.id(), name, (System.nanoTime() - start) / 1000);
        } catch (RuntimeException e) {
            String failure = name + ": " + e.getMessage();
            LOG.warn("sandbox {}: teardown step '{}' failed", layout.id(), name, e);
            failures.add(failure);
        }
    }

    private static void unmountAll(Path dir) {
        for (Path mountPoint : Mounts.under(dir)) {
            Mounts.unmount(mountPoint);
        }
    }

    /** Waits for autoclear to free the image's loop devices, detaching any that stay bound. */
    private static void releaseLoops(Path image) {
        long deadline = System.nanoTime() + LOOP_RELEASE.toNanos();
        for (int attempt = 0; ; attempt++) {
            List<LoopDevices.Binding> bound = LoopDevices.backedBy(image);
            if (bound.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("loop devices {} still bound to {} after {} ms; detaching them", bound, image, LOOP_RELEASE.toMillis());
                bound.forEach(b -> LoopDevices.detach(b.device()));
                if (!LoopDevices.backedBy(image).isEmpty()) {
                    throw new RuntimeFailureException("loop devices " + LoopDevices.backedBy(image) + " stay bound to " + image);
                }
                return;
            }
            try {
                Thread.sleep(Math.min(20, 1L << Math.min(attempt, 5)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailureException("interrupted while waiting for loop devices of " + image, e);
            }
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot delete " + file + ": " + e, e);
        }
    }

    /**
     * Deletes a directory tree the server itself created, without following symlinks.
     *
     * @throws RuntimeFailureException if something is still mounted under it, or a delete fails
     */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> mounted = Mounts.under(dir);
        if (!mounted.isEmpty()) {
            throw new RuntimeFailureException("not deleting " + dir + ": still mounted under it: " + mounted);
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot delete " + dir + ": " + e, e);
        }
    }
}
