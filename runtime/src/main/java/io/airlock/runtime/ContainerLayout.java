package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where every host resource of one sandbox lives. Everything is derived from the sandbox id, so
 * recovery can find it all again from nothing but an id (a marker directory, a runtime's container
 * list, a cgroup directory name).
 *
 * <pre>
 * $AIRLOCK_HOME/sandboxes/&lt;id&gt;/marker.json    durable marker: created first, deleted last
 * $AIRLOCK_HOME/sandboxes/&lt;id&gt;/disk.img       sparse ext4 image (the writable layer, with its quota)
 * $AIRLOCK_HOME/sandboxes/&lt;id&gt;/disk/          the image, mounted through a loop device
 * $AIRLOCK_HOME/sandboxes/&lt;id&gt;/disk/upper,work overlay upper and work directories
 * &lt;stateRoot&gt;/sandboxes/&lt;id&gt;/bundle/config.json   OCI bundle (0600: holds the sandbox env)
 * &lt;stateRoot&gt;/sandboxes/&lt;id&gt;/bundle/rootfs/      the overlay mount, the container's root
 * &lt;stateRoot&gt;/sandboxes/&lt;id&gt;/to-agent, from-agent FIFOs: the agent's fd 0 and fd 1
 * &lt;stateRoot&gt;/sandboxes/&lt;id&gt;/agent.log         the agent's fd 2
 * &lt;stateRoot&gt;/sandboxes/&lt;id&gt;/runtime.log       runc's or runsc's own log
 * /sys/fs/cgroup/&lt;controller&gt;/&lt;cgroupParent&gt;/&lt;id&gt;   one cgroup per controller
 * </pre>
 *
 * @param home the Airlock home directory
 * @param stateRoot the directory for volatile state (ideally a tmpfs such as {@code /run/airlock})
 * @param cgroupParent the cgroup every sandbox's cgroup is created under, e.g. {@code airlock}
 * @param id the sandbox id
 */
record ContainerLayout(Path home, Path stateRoot, String cgroupParent, String id) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    ContainerLayout {
        if (!ID.matcher(id).matches()) {
            throw new RuntimeFailureException("sandbox id '" + id + "' is not usable as a path and cgroup name; it must match " + ID);
        }
        if (!ID.matcher(cgroupParent).matches()) {
            throw new RuntimeFailureException("cgroup parent '" + cgroupParent + "' must match " + ID);
        }
    }

    /** Whether {@code name} could be a sandbox id (checked before trusting a name found on disk). */
    static boolean validId(String name) {
        return ID.matcher(name).matches();
    }

    static Path sandboxesDir(Path home) {
        return home.resolve("sandboxes");
    }

    static Path stateDirs(Path stateRoot) {
        return stateRoot.resolve("sandboxes");
    }

    Path sandboxDir() {
        return sandboxesDir(home).resolve(id);
    }

    Path marker() {
        return sandboxDir().resolve("marker.json");
    }

    Path image() {
        return sandboxDir().resolve("disk.img");
    }

    Path disk() {
        return sandboxDir().resolve("disk");
    }

    Path upper() {
        return disk().resolve("upper");
    }

    Path work() {
        return disk().resolve("work");
    }

    Path stateDir() {
        return stateDirs(stateRoot).resolve(id);
    }

    Path bundle() {
        return stateDir().resolve("bundle");
    }

    Path rootfs() {
        return bundle().resolve("rootfs");
    }

    Path config() {
        return bundle().resolve("config.json");
    }

    Path toAgent() {
        return stateDir().resolve("to-agent");
    }

    Path fromAgent() {
        return stateDir().resolve("from-agent");
    }

    Path agentLog() {
        return stateDir().resolve("agent.log");
    }

    Path runtimeLog() {
        return stateDir().resolve("runtime.log");
    }

    Path pidFile() {
        return stateDir().resolve("init.pid");
    }

    /** The cgroup path as the OCI spec's {@code linux.cgroupsPath} names it. */
    String cgroupsPath() {
        return "/" + cgroupParent + "/" + id;
    }
}
