package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Resources;
import io.airlock.core.Tier;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The seccomp profile's rules, and what a process inside a real sandbox can and cannot call. */
class SeccompProfileTest {
    private static ContainerFixture fx;

    @BeforeAll
    static void open() throws IOException {
        fx = ContainerFixture.open();
    }

    @AfterAll
    static void close() throws IOException {
        fx.close();
    }

    @Test
    void forTier_blocksDockersSignificantSyscalls() {
        List<String> blocked = SeccompProfile.forTier(Tier.RUNC).syscalls().getFirst().names();

        assertThat(blocked).contains(
                "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "settimeofday", "create_module", "delete_module",
                "finit_module", "init_module", "get_kernel_syms", "query_module", "kexec_file_load", "kexec_load", "keyctl",
                "request_key", "lookup_dcookie", "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
                "fsconfig", "fsmount", "fspick", "name_to_handle_at", "open_by_handle_at", "nfsservctl", "perf_event_open",
                "process_vm_readv", "process_vm_writev", "ptrace", "quotactl", "reboot", "setns", "unshare", "swapon",
                "swapoff", "sysfs", "_sysctl", "uselib", "userfaultfd", "ustat", "vm86", "vm86old", "iopl", "ioperm", "kcmp",
                "get_mempolicy", "set_mempolicy", "mbind", "move_pages", "io_uring_setup", "io_uring_enter",
                "io_uring_register", "syslog");
        assertThat(SeccompProfile.forTier(Tier.RUNC).defaultAction()).isEqualTo("SCMP_ACT_ALLOW");
        assertThat(SeccompProfile.forTier(Tier.RUNC).architectures())
                .containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    }

    @Test
    void forTier_clone3GetsEnosysOnRuncOnly() {
        assertThat(rulesFor(Tier.RUNC, "clone3")).singleElement()
                .satisfies(r -> assertThat(r.errnoRet()).isEqualTo(SeccompProfile.ENOSYS));
        assertThat(rulesFor(Tier.RUNSC, "clone3")).isEmpty();
    }

    @Test
    void forTier_cloneWithAnyNamespaceFlagIsDenied_oneRulePerFlag() {
        assertThat(rulesFor(Tier.RUNC, "clone")).hasSize(7).allSatisfy(r -> {
            OciSpec.Arg a = r.args().getFirst();
            assertThat(a.op()).isEqualTo("SCMP_CMP_MASKED_EQ");
            assertThat(a.value()).isEqualTo(a.valueTwo());
            assertThat(Long.bitCount(a.value().longValueExact())).isEqualTo(1);
        });
    }

    @Test
    void denyUnlessEqual_matchesEverythingButTheAllowedValues() {
        List<OciSpec.Syscall> rules = SeccompProfile.denyUnlessEqual("personality", 0, SeccompProfile.PERSONALITY_ALLOWED);

        for (long allowed : SeccompProfile.PERSONALITY_ALLOWED) {
            assertThat(denied(rules, allowed)).as("0x%x", allowed).isFalse();
        }
        Stream.of(1L, 7L, 9L, 0x1ffffL, 0x20001L, 0x20008L, 0x40000L, 0x0400000L, 0xfffffffeL, 0x1_0000_0000L, 0x1_0000_0008L, -1L)
                .forEach(v -> assertThat(denied(rules, v)).as("0x%x", v).isTrue());
        // and a sweep of the low values, where most real personalities live
        for (long v = 0; v < 0x30000; v++) {
            boolean allowed = v == 0 || v == 8 || v == 0x20000;
            assertThat(denied(rules, v)).as("0x%x", v).isEqualTo(!allowed);
        }
    }

    /** What the kernel would do with these rules: any matching rule denies (rules are alternatives). */
    private static boolean denied(List<OciSpec.Syscall> rules, long value) {
        return rules.stream().anyMatch(r -> r.args().stream().allMatch(a -> switch (a.op()) {
            case "SCMP_CMP_MASKED_EQ" -> (value & a.value().longValue()) == a.valueTwo().longValue();
            case "SCMP_CMP_GE" -> Long.compareUnsigned(value, a.value().longValue()) >= 0;
            default -> throw new AssertionError("unexpected op " + a.op());
        }));
    }

    private static List<OciSpec.Syscall> rulesFor(Tier tier, String name) {
        return SeccompProfile.forTier(tier).syscalls().stream().filter(r -> r.names().equals(List.of(name))).toList();
    }

    /** A probe run inside the sandbox; prints name=result, with -errno for failures. */
    private static final String PROBE = String.join("\n",
            "import ctypes, os, threading",
            "l = ctypes.CDLL(None, use_errno=True)",
            "l.syscall.restype = ctypes.c_long",
            "s = lambda *a: l.syscall(*[ctypes.c_long(x) if isinstance(x, int) else x for x in a])",
            "def r(n, v): print(n + '=' + str(v if v >= 0 else -ctypes.get_errno()))",
            "r('unshare_user', s(272, 0x10000000))",
            "r('unshare_net', s(272, 0x40000000))",
            "r('mount', s(165, b'none', b'/mnt', b'tmpfs', 0, 0))",
            "r('keyctl', s(250, 0, 0, 0, 0, 0))",
            "r('bpf', s(321, 0, 0, 0))",
            "r('ptrace', s(101, 16, 1, 0, 0))",
            "r('clone_newns', s(56, 0x00020000 | 17, 0, 0, 0, 0))",
            "r('clone3', s(435, 0, 0))",
            "r('personality_query', s(135, 0xffffffff))",
            "r('personality_norandom', s(135, 0x0040000))",
            "r('personality_linux', s(135, 0))",
            "t = threading.Thread(target=lambda: None)",
            "t.start()",
            "t.join()",
            "print('thread=ok')",
            "pid = os.fork()",
            "os._exit(0) if pid == 0 else print('fork=' + str(os.waitpid(pid, 0)[1]))");

    @ParameterizedTest
    @MethodSource("io.airlock.runtime.ContainerFixture#tiers")
    void sandbox_deniedCallsFail_ordinaryOnesWork(Tier tier) {
        Container c = fx.host.create(ContainerFixture.planRunning(tier, new Resources(1, 256 * Resources.MIB, 64, 32 * Resources.MIB),
                "python3 -c \"" + PROBE + "\""));
        try {
            String out = ContainerFixture.AgentOutput.of(c).awaitText("exit=", Duration.ofSeconds(30));

            assertThat(out).contains("unshare_user=-1\n", "unshare_net=-1\n", "mount=-1\n", "keyctl=-1\n", "bpf=-1\n",
                    "ptrace=-1\n", "clone_newns=-1\n", "personality_norandom=-1\n");
            assertThat(out).contains("clone3=-38\n", "thread=ok\n", "fork=0\n", "exit=0\n");
            if (tier == Tier.RUNC) {
                assertThat(out).contains("personality_query=0\n", "personality_linux=0\n");
            } else {
                // gVisor itself answers EINVAL for personality(2); what matters is that our filter lets it through
                assertThat(out).doesNotContain("personality_query=-1\n", "personality_linux=-1\n");
            }
        } finally {
            c.destroy();
        }
    }
}
