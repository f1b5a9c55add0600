package io.airlock.runtime;

import io.airlock.core.Tier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seccomp filter every sandbox starts under: allow by default, and fail with {@code EPERM} the
 * system calls Docker's documentation lists as "significant syscalls blocked by the default
 * profile", plus namespace creation through {@code clone}.
 *
 * <h2>Why a deny-list</h2>
 * Docker's default profile is an allow-list of about 350 names, with capability- and
 * argument-dependent sections; anything not listed gets {@code EPERM}. It is thorough, but long,
 * tied to the libseccomp and kernel versions it was written for (a new syscall stays blocked, which
 * is safe but breaks new libcs: the {@code clone3} and {@code faccessat2} episodes), and hard to
 * review. The calls it exists to block are a short, well-known set: kernel keyrings, modules,
 * kexec, BPF, mounts and the new mount API, namespaces, ptrace and cross-process memory access,
 * clocks, swap, quotas, perf, userfaultfd, io_uring, NUMA policy and the legacy x86 calls. Listing
 * exactly those is short enough to read in one screen, so every entry is deliberate and reviewable,
 * and a missing entry is an explicit decision rather than an accident of omission. The cost: a
 * brand-new dangerous syscall is allowed until it is added here, where Docker's list blocks it
 * by default. Dropped capabilities ({@code CAP_SYS_ADMIN}, {@code CAP_NET_RAW}, {@code CAP_MKNOD},
 * {@code CAP_SYS_PTRACE}, ...) and {@code no_new_privs} back it up, as in Docker, where most of the
 * listed calls are also refused for lack of a capability.
 *
 * <h2>Arguments</h2>
 * <ul>
 *   <li>{@code clone} with any {@code CLONE_NEW*} flag fails with {@code EPERM} (one masked
 *       comparison per flag: rules on one syscall are alternatives, so "any flag set" is seven rules);
 *       plain {@code fork}/thread {@code clone} is untouched.
 *   <li>{@code clone3} passes its flags in memory, where seccomp cannot look, so it fails with
 *       {@code ENOSYS} and the C library falls back to {@code clone} (as Docker does). On runsc the
 *       rule is left out: gVisor does not implement {@code clone3} (it already answers
 *       {@code ENOSYS}) and its OCI seccomp support ignores {@code errnoRet}, which would turn the
 *       answer into {@code EPERM} and break thread creation in glibc.
 *   <li>{@code personality} is allowed only with Docker's values {@code 0}, {@code 0x8},
 *       {@code 0x20000} and {@code 0xffffffff} (the query). Rules on one argument are alternatives,
 *       so "anything else" is written as the complement: the aligned power-of-two blocks between
 *       the allowed values (as a CIDR list covers an address range), one masked comparison each,
 *       plus one {@code >= 2^32} rule.
 * </ul>
 *
 * <p>The architectures are x86-64 and its two 32-bit ABIs (x86, x32), so a sandbox cannot slip past
 * the filter through {@code int 0x80}. Names a given architecture lacks are skipped by runc.
 */
final class SeccompProfile {
    static final int EPERM = 1;
    static final int ENOSYS = 38;

    /** Docker's "significant syscalls blocked by the default profile", and a few newer mount-API calls. */
    static final List<String> BLOCKED = List.of(
            "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "settimeofday",
            "create_module", "delete_module", "finit_module", "init_module", "get_kernel_syms", "query_module",
            "kexec_file_load", "kexec_load", "keyctl", "request_key", "lookup_dcookie",
            "mount", "umount2", "pivot_root", "move_mount", "open_tree", "open_tree_attr", "mount_setattr",
            "fsopen", "fsconfig", "fsmount", "fspick", "name_to_handle_at", "open_by_handle_at", "nfsservctl",
            "perf_event_open", "process_vm_readv", "process_vm_writev", "ptrace", "quotactl", "quotactl_fd", "reboot",
            "setns", "unshare", "swapon", "swapoff", "sysfs", "_sysctl", "uselib", "userfaultfd", "ustat",
            "vm86", "vm86old", "iopl", "ioperm", "kcmp", "get_mempolicy", "set_mempolicy", "mbind", "move_pages",
            "io_uring_setup", "io_uring_enter", "io_uring_register", "syslog");

    /** CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET. */
    static final long[] CLONE_NAMESPACE_FLAGS = {0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000};

    /** The {@code personality} values Docker allows: PER_LINUX, PER_LINUX32 bits, UNAME26 and the query. */
    static final long[] PERSONALITY_ALLOWED = {0x0, 0x8, 0x20000, 0xffffffffL};

    static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

    private SeccompProfile() {}

    /** The profile for sandboxes of {@code tier}. */
    static OciSpec.Seccomp forTier(Tier tier) {
        List<OciSpec.Syscall> rules = new ArrayList<>();
        rules.add(new OciSpec.Syscall(BLOCKED, "SCMP_ACT_ERRNO", EPERM, null));
        for (long flag : CLONE_NAMESPACE_FLAGS) {
            rules.add(new OciSpec.Syscall(
                    List.of("clone"), "SCMP_ACT_ERRNO", EPERM, List.of(OciSpec.Arg.of(0, flag, flag, "SCMP_CMP_MASKED_EQ"))));
        }
        if (tier == Tier.RUNC) {
            rules.add(new OciSpec.Syscall(List.of("clone3"), "SCMP_ACT_ERRNO", ENOSYS, null));
        }
        rules.addAll(denyUnlessEqual("personality", 0, PERSONALITY_ALLOWED));
        return new OciSpec.Seccomp("SCMP_ACT_ALLOW", ARCHITECTURES, List.copyOf(rules));
    }

    /**
     * Rules that fail {@code name} with EPERM unless argument {@code index} equals one of
     * {@code allowed} (all below 2^32): one {@code >= 2^32} rule, and for every gap between allowed
     * values its aligned power-of-two blocks as masked comparisons.
     */
    static List<OciSpec.Syscall> denyUnlessEqual(String name, int index, long... allowed) {
        long[] values = allowed.clone();
        Arrays.sort(values);
        List<OciSpec.Syscall> rules = new ArrayList<>();
        long next = 0;
        for (long value : values) {
            if (value < 0 || value > 0xffffffffL) {
                throw new IllegalArgumentException("allowed values must fit in 32 bits, got " + Long.toHexString(value));
            }
            addBlocks(name, index, next, value - 1, rules);
            next = value + 1;
        }
        addBlocks(name, index, next, 0xffffffffL, rules);
        rules.add(new OciSpec.Syscall(
                List.of(name), "SCMP_ACT_ERRNO", EPERM, List.of(OciSpec.Arg.of(index, 0x1_0000_0000L, 0, "SCMP_CMP_GE"))));
        return rules;
    }

    /** Covers [from, to] (inclusive, both below 2^32) with aligned blocks, largest first. */
    private static void addBlocks(String name, int index, long from, long to, List<OciSpec.Syscall> rules) {
        long at = from;
        while (at <= to) {
            int bits = at == 0 ? 32 : Long.numberOfTrailingZeros(at);
            while (bits > 0 && at + (1L << bits) - 1 > to) {
                bits--;
            }
            long mask = ~((1L << bits) - 1);
            rules.add(new OciSpec.Syscall(
                    List.of(name), "SCMP_ACT_ERRNO", EPERM, List.of(OciSpec.Arg.of(index, mask, at, "SCMP_CMP_MASKED_EQ"))));
            at += 1L << bits;
        }
    }
}
