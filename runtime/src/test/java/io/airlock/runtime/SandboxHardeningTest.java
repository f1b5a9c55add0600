package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SECURITY.md series F: the in-sandbox kernel surface. Oracles are host-side where possible;
 * in-sandbox errno expectations hold for runc, and for gVisor where it refuses the same way.
 */
class SandboxHardeningTest {
    private static final String TIERS = "io.airlock.runtime.SandboxFixture#tiers";
    private static SandboxFixture fx;

    @BeforeAll
    static void open() throws Exception {
        fx = SandboxFixture.open();
    }

    @AfterAll
    static void close() {
        fx.close();
        fx.assertNoLeaks();
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void namespaces_hostnameIsIdAndPid1IsInit(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep -c '^[0-9]'");

        String[] lines = r.stdout().split("\n");
        assertThat(lines[0]).isEqualTo(id);
        assertThat(lines[1]).contains("/.airlock/init");
        assertThat(Integer.parseInt(lines[2].trim())).isLessThan(20);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void network_loopbackOnly(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "ls /sys/class/net 2>/dev/null | tr '\\n' ' '; echo; "
                + "timeout 5 bash -c 'echo > /dev/tcp/127.0.0.1/8700' 2>&1 && echo reached || echo unreachable; "
                + "timeout 5 curl -sS -m 3 http://10.0.2.2/ 2>&1 >/dev/null && echo out || echo no-egress");

        assertThat(r.stdout()).contains("unreachable").contains("no-egress");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f09_noNewPrivs_andSeccompFiltering(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status");

        if (tier == Tier.RUNC) {
            assertThat(r.stdout()).contains("NoNewPrivs:\t1").contains("Seccomp:\t2");
        }
        assertThat(fx.sh(id, "sudo -n true 2>&1; echo rc=$?").stdout()).contains("rc=1");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f11_capabilities_rootHasOnlyTheAllowlist(Tier tier) throws Exception {
        String id = fx.create(tier);

        String capEff = fx.root(id, "grep CapEff /proc/self/status | cut -f2").stdout().trim();
        String userCaps = fx.sh(id, "grep CapEff /proc/self/status | cut -f2").stdout().trim();

        long caps = Long.parseLong(capEff, 16);
        long forbidden = bit(21) | bit(19) | bit(16) | bit(17) | bit(25) | bit(13) | bit(27) | bit(12) | bit(24) | bit(22);
        // SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_RAWIO, SYS_TIME, NET_RAW, MKNOD, NET_ADMIN, SYS_RESOURCE, SYS_BOOT
        assertThat(caps & forbidden).as("CapEff %s", capEff).isZero();
        assertThat(Long.parseLong(userCaps, 16)).isZero();
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f05_mountUnshareSetnsPivot_refused(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "mount -t tmpfs x /mnt 2>&1 && echo MOUNTED; "
                + "unshare -m true 2>&1 && echo UNSHARED; unshare -U true 2>&1 && echo USERNS; "
                + "mount -o remount,rw /proc/sys 2>&1 && echo REMOUNTED; echo end");

        assertThat(r.stdout()).doesNotContain("MOUNTED", "UNSHARED", "USERNS", "REMOUNTED").contains("end");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f03_maskedAndReadOnlyProcSys(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "head -c 16 /proc/kcore 2>/dev/null | wc -c; cat /proc/keys 2>/dev/null | wc -c; "
                + "echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo WROTE-SYSCTL; echo b > /proc/sysrq-trigger 2>/dev/null && echo SYSRQ; "
                + "echo x > /sys/kernel/uevent_helper 2>/dev/null && echo WROTE-SYS; echo end");

        String[] lines = r.stdout().split("\n");
        assertThat(lines[0].trim()).isEqualTo("0");
        assertThat(lines[1].trim()).isEqualTo("0");
        assertThat(r.stdout()).doesNotContain("WROTE-SYSCTL", "SYSRQ", "WROTE-SYS").contains("end");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f06_cgroupReleaseAgent_notWritable(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "for f in /sys/fs/cgroup/*/release_agent /sys/fs/cgroup/*/notify_on_release; do "
                + "echo /x > $f 2>/dev/null && echo WROTE $f; done; echo end");

        assertThat(r.stdout()).doesNotContain("WROTE").contains("end");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/release_agent")).trim()).doesNotContain("/x");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f08_devices_mknodRefusedAndDevMinimal(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "mknod /tmp/sda b 8 0 2>&1 && echo MKNOD; ls /dev | tr '\\n' ' '; echo; "
                + "cat /tmp/sda 2>/dev/null | head -c 1 | wc -c");

        if (tier == Tier.RUNC) {
            assertThat(r.stdout()).doesNotContain("MKNOD");
        }
        // gVisor lets root make nodes in its own virtual file system, but they reach no host device
        assertThat(r.stdout()).doesNotContain("sda ").doesNotContain("mem ").endsWith("0\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f12_f14_f15_moduleClockHostname_refused(Tier tier) throws Exception {
        String id = fx.create(tier);
        long hostBefore = System.currentTimeMillis();

        SandboxFixture.Run r = fx.root(id, "date -s '2001-01-01' >/dev/null 2>&1 && echo CLOCK; "
                + "hostname evil 2>/dev/null && echo HOSTNAME; "
                + "python3 -c 'import ctypes; l=ctypes.CDLL(None); print(\"INIT_MODULE\" if l.syscall(175, 0, 0, 0) == 0 else \"no-module\")'; echo end");

        assertThat(r.stdout()).doesNotContain("CLOCK", "HOSTNAME", "INIT_MODULE").contains("end");
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(hostBefore);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f13_ptraceOfInit_refused(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "python3 -c 'import ctypes; l=ctypes.CDLL(None); "
                + "print(\"ATTACHED\" if l.ptrace(16, 1, 0, 0) == 0 else \"refused\")'");

        assertThat(r.stdout()).contains("refused");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void f07_templateRootfs_untouchedBySandboxWrites(Tier tier) throws Exception {
        String id = fx.create(tier);
        Path hostPasswd = fx.templates.find("base").orElseThrow().rootfs().resolve("etc/passwd");
        String before = Files.readString(hostPasswd);

        fx.root(id, "echo 'evil:x:0:0::/:/bin/sh' >> /etc/passwd; rm -rf /usr/bin/python3*");

        assertThat(Files.readString(hostPasswd)).isEqualTo(before);
        String other = fx.create(tier);
        assertThat(fx.sh(other, "grep -c evil /etc/passwd; python3 -c 'print(2)'").stdout()).isEqualTo("0\n2\n");
        fx.service.kill(id);
        fx.service.kill(other);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r12_noResidueAcrossSandboxes(Tier tier) throws Exception {
        String a = fx.create(tier);
        fx.sh(a, "echo secret > /tmp/left; echo secret > /home/user/left; echo secret > /dev/shm/left");
        fx.service.kill(a);

        String b = fx.create(tier);
        assertThat(fx.sh(b, "cat /tmp/left /home/user/left /dev/shm/left 2>/dev/null | wc -l").stdout().trim()).isEqualTo("0");
        fx.service.kill(b);
    }

    private static long bit(int n) {
        return 1L << n;
    }
}
