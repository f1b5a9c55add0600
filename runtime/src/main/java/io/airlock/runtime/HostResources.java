package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A count of the host resources sandboxes of one {@link ContainerConfig} hold, for leak tests:
 * after every sandbox is destroyed or reaped, all counts must be zero.
 *
 * @param processes host processes whose cgroup (in any hierarchy) is under the cgroup parent
 * @param mounts mount points under the home or the state root
 * @param cgroupDirs sandbox cgroup directories under the cgroup parent, summed over hierarchies
 * @param loopDevices loop devices whose backing file is under the home
 * @param runtimeStateEntries entries in runc's and runsc's state directories
 * @param sandboxes sandbox directories (marker, image, disk) under the home
 * @param stateDirs sandbox state directories (bundle, FIFOs, logs) under the state root
 */
record HostResources(
        int processes, int mounts, int cgroupDirs, int loopDevices, int runtimeStateEntries, int sandboxes, int stateDirs) {

    static final HostResources NONE = new HostResources(0, 0, 0, 0, 0, 0, 0);

    /** Counts what sandboxes of {@code config} hold right now. */
    static HostResources snapshot(ContainerConfig config) {
        return snapshot(config, CgroupHierarchies.ROOT);
    }

    /**
     * Counts what the sandboxes of {@link OciRuntime#create(Path, Path, Path) OciRuntime.create(home,
     * stateRoot, agent)} hold, with the cgroup parent that runtime derives from its state root.
     */
    static HostResources snapshot(Path home, Path stateRoot) {
        Path root = stateRoot.toAbsolutePath().normalize();
        return snapshot(ContainerConfig.defaults(home.toAbsolutePath().normalize(), Path.of("/unused"))
                .withStateRoot(root)
                .withCgroupParent(OciRuntime.cgroupParent(root)));
    }

    /** Whether nothing at all is held. */
    boolean isEmpty() {
        return equals(NONE);
    }

    static HostResources snapshot(ContainerConfig config, Path cgroupRoot) {
        String parent = "/" + config.cgroupParent() + "/";
        int cgroupDirs = 0;
        for (Path hierarchy : CgroupHierarchies.list(cgroupRoot)) {
            cgroupDirs += countChildren(hierarchy.resolve(config.cgroupParent()), true);
        }
        return new HostResources(
                CgroupHierarchies.processesUnder(parent).size(),
                Mounts.under(config.home()).size() + Mounts.under(config.stateRoot()).size(),
                cgroupDirs,
                LoopDevices.backedBy(config.home()).size(),
                countChildren(config.stateRoot().resolve("runc"), false) + countChildren(config.stateRoot().resolve("runsc"), false),
                countChildren(ContainerLayout.sandboxesDir(config.home()), false),
                countChildren(ContainerLayout.stateDirs(config.stateRoot()), false));
    }

    private static int countChildren(Path dir, boolean directoriesOnly) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int count = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (!directoriesOnly || Files.isDirectory(child)) {
                    count++;
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list " + dir + ": " + e, e);
        }
        return count;
    }
}
