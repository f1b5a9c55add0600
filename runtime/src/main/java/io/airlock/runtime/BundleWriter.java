package io.airlock.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.BindMount;
import io.airlock.core.Resources;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxPlan;
import io.airlock.core.Tier;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the hardened OCI spec for a sandbox and writes it as {@code config.json} into its bundle.
 *
 * <p>What every sandbox gets, on both tiers:
 * <ul>
 *   <li>the agent as PID 1: {@code /.airlock/init}, uid 0 inside (it drops privileges per process),
 *       bind-mounted read-only from the host's agent binary;
 *   <li>Docker's default capabilities minus {@code NET_RAW} and {@code MKNOD}, in the bounding,
 *       effective and permitted sets only, and {@code no_new_privs};
 *   <li>new pid, mount, ipc, uts, network (loopback only) and cgroup namespaces, hostname = id;
 *   <li>Docker's masked and read-only paths, a minimal {@code /dev}, read-only sysfs and cgroupfs,
 *       a {@code /tmp} tmpfs of half the memory limit (tmpfs pages count against the limit anyway);
 *   <li>memory limit = memory+swap limit (no swap), CFS quota, pids limit, device allow-list;
 *   <li>the {@link SeccompProfile}.
 * </ul>
 *
 * <p>The process environment is a fixed {@code PATH}, then the template's env, then the plan's: the
 * agent hands it to every process it starts. Because it may hold secrets, {@code config.json} is
 * created mode 0600 in a 0700 bundle, and is deleted with the sandbox.
 *
 * <p>Two host facts change the spec. {@code oomScoreAdj = -999} (so the OOM killer picks a
 * sandbox process before the agent) is only set when the server holds {@code CAP_SYS_RESOURCE}:
 * lowering a score needs it, and without it runc fails to start the container. On runsc the pids
 * limit also covers gVisor's own host tasks (sentry threads, gofer, one ptrace stub per sandbox
 * task), so it is {@code 2 * pids + 64} there.
 */
final class BundleWriter {
    static final List<String> CAPABILITIES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
            "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    static final String INIT = "/.airlock/init";
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final long CPU_PERIOD = 100_000;
    static final int INIT_OOM_SCORE_ADJ = -999;
    static final int RUNSC_TASK_OVERHEAD = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The default device nodes runc creates in the container's {@code /dev}: type, major, minor. */
    private static final List<OciSpec.Device> DEVICES = List.of(
            device("/dev/null", 1, 3), device("/dev/zero", 1, 5), device("/dev/full", 1, 7),
            device("/dev/random", 1, 8), device("/dev/urandom", 1, 9), device("/dev/tty", 5, 0));

    private final Path agentBinary;
    private final boolean canLowerOomScore;

    /**
     * @param agentBinary the host path of the agent, bind-mounted as {@code /.airlock/init}
     * @param canLowerOomScore whether the server may lower an OOM score (holds {@code CAP_SYS_RESOURCE})
     */
    BundleWriter(Path agentBinary, boolean canLowerOomScore) {
        this.agentBinary = agentBinary;
        this.canLowerOomScore = canLowerOomScore;
    }

    /** The spec for {@code plan}, laid out as {@code layout} says. */
    OciSpec spec(ContainerLayout layout, SandboxPlan plan, String incarnation) {
        Resources r = plan.resources();
        OciSpec.Process process = new OciSpec.Process(
                false,
                new OciSpec.User(0, 0),
                List.of(INIT),
                environment(plan),
                "/",
                new OciSpec.Capabilities(CAPABILITIES, CAPABILITIES, List.of(), CAPABILITIES, List.of()),
                List.of(new OciSpec.Rlimit("RLIMIT_NOFILE", 4096, 1024), new OciSpec.Rlimit("RLIMIT_CORE", 0, 0)),
                true,
                canLowerOomScore ? INIT_OOM_SCORE_ADJ : null);
        OciSpec.Linux linux = new OciSpec.Linux(
                List.of("pid", "mount", "ipc", "uts", "network", "cgroup").stream().map(OciSpec.Namespace::new).toList(),
                DEVICES,
                new OciSpec.Resources(
                        deviceRules(),
                        new OciSpec.Memory(r.memoryBytes(), r.memoryBytes()),
                        new OciSpec.Cpu(Math.max(1000, Math.round(r.cpus() * CPU_PERIOD)), CPU_PERIOD),
                        new OciSpec.Pids(plan.tier() == Tier.RUNSC ? 2L * r.pids() + RUNSC_TASK_OVERHEAD : r.pids())),
                layout.cgroupsPath(),
                SeccompProfile.forTier(plan.tier()),
                MASKED_PATHS,
                READONLY_PATHS);
        return new OciSpec(
                OciSpec.VERSION,
                process,
                new OciSpec.Root(layout.rootfs().toString(), false),
                plan.id(),
                mounts(r, plan.mounts()),
                linux,
                Map.of(
                        "io.airlock.sandbox-id", plan.id(),
                        "io.airlock.incarnation", incarnation,
                        "io.airlock.template", plan.template().name()));
    }

    /**
     * Writes {@code config.json} (mode 0600) into the bundle directory, which must exist.
     *
     * @throws RuntimeFailureException if it cannot be written
     */
    void write(ContainerLayout layout, SandboxPlan plan, String incarnation) {
        OciSpec spec = spec(layout, plan, incarnation);
        Path config = layout.config();
        try {
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(config, StandardOpenOption.WRITE)) {
                JSON.writeValue(out, spec);
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot write " + config + ": " + e, e);
        }
    }

    private List<OciSpec.Mount> mounts(Resources r, List<BindMount> extra) {
        List<OciSpec.Mount> all = new java.util.ArrayList<>(base(r));
        for (BindMount m : extra) {
            // nosuid and nodev whatever the sandbox puts there; ro unless the caller asked for writes.
            all.add(mount(m.destination(), "bind", m.source().toString(), "bind", m.readOnly() ? "ro" : "rw", "nosuid", "nodev"));
        }
        return all;
    }

    private List<OciSpec.Mount> base(Resources r) {
        long tmpBytes = Math.max(Resources.MIB, r.memoryBytes() / 2);
        return List.of(
                mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
                mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=64k"),
                mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=64m"),
                mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
                mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777", "size=" + tmpBytes),
                // nosuid and nodev do not stop exec; only noexec would
                mount(INIT, "bind", agentBinary.toString(), "bind", "ro", "nosuid", "nodev"));
    }

    private static List<String> environment(SandboxPlan plan) {
        Map<String, String> env = new TreeMap<>(plan.template().recipe().env());
        env.putAll(plan.env());
        env.remove("PATH"); // the fixed PATH goes first; a template or plan PATH replaces it below
        List<String> out = new ArrayList<>();
        String path = plan.env().getOrDefault("PATH", plan.template().recipe().env().get("PATH"));
        out.add(path == null ? PATH_ENV : "PATH=" + path);
        env.forEach((k, v) -> {
            if (k.isEmpty() || k.contains("=") || k.indexOf(0) >= 0 || v.indexOf(0) >= 0) {
                throw new RuntimeFailureException("environment variable '" + k.replace("\0", "\\0")
                        + "' of sandbox " + plan.id() + " has an empty name, '=' in its name or a NUL byte");
            }
            out.add(k + "=" + v);
        });
        return List.copyOf(out);
    }

    private static List<OciSpec.DeviceRule> deviceRules() {
        List<OciSpec.DeviceRule> rules = new ArrayList<>();
        rules.add(new OciSpec.DeviceRule(false, null, null, null, "rwm"));
        for (OciSpec.Device d : DEVICES) {
            rules.add(new OciSpec.DeviceRule(true, "c", d.major(), d.minor(), "rwm"));
        }
        rules.add(new OciSpec.DeviceRule(true, "c", 5L, 2L, "rwm")); // /dev/ptmx
        rules.add(new OciSpec.DeviceRule(true, "c", 136L, null, "rwm")); // /dev/pts/*
        return List.copyOf(rules);
    }

    private static OciSpec.Device device(String path, long major, long minor) {
        return new OciSpec.Device(path, "c", major, minor, 0666, 0, 0);
    }

    private static OciSpec.Mount mount(String destination, String type, String source, String... options) {
        return new OciSpec.Mount(destination, type, source, List.of(options));
    }
}
