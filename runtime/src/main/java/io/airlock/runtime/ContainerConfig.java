package io.airlock.runtime;

import java.nio.file.Path;

/**
 * Where the container layer keeps things and which binaries it runs.
 *
 * @param home the Airlock home ({@code $AIRLOCK_HOME}): markers, disk images, golden images
 * @param stateRoot volatile state, ideally on a tmpfs ({@code /run/airlock}): bundles, FIFOs, logs,
 *     and the runtimes' own state directories {@code <stateRoot>/runc} and {@code <stateRoot>/runsc}
 * @param agentBinary the static in-sandbox init, bind-mounted read-only as {@code /.airlock/init}
 * @param runc the runc executable
 * @param runsc the runsc executable
 * @param cgroupParent the cgroup under which every sandbox's cgroup is made ({@code airlock} in
 *     production; tests use a unique name so parallel suites never see each other's sandboxes)
 * @param runscDebugLogs whether runsc writes its (large) debug logs into each sandbox's state dir
 */
public record ContainerConfig(
        Path home, Path stateRoot, Path agentBinary, Path runc, Path runsc, String cgroupParent, boolean runscDebugLogs) {

    /** Production defaults: state in {@code /run/airlock}, Debian's runc and runsc, cgroup parent {@code airlock}. */
    public static ContainerConfig defaults(Path home, Path agentBinary) {
        return new ContainerConfig(
                home, Path.of("/run/airlock"), agentBinary, Path.of("/usr/sbin/runc"), Path.of("/usr/bin/runsc"), "airlock", false);
    }

    /** This config with another state root. */
    public ContainerConfig withStateRoot(Path stateRoot) {
        return new ContainerConfig(home, stateRoot, agentBinary, runc, runsc, cgroupParent, runscDebugLogs);
    }

    /** This config with another cgroup parent. */
    public ContainerConfig withCgroupParent(String cgroupParent) {
        return new ContainerConfig(home, stateRoot, agentBinary, runc, runsc, cgroupParent, runscDebugLogs);
    }
}
