package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.Resources;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxPlan;
import io.airlock.core.Template;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated OCI spec carries exactly the intended hardening and limits. */
class BundleWriterTest {
    private static final long MIB = Resources.MIB;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path AGENT = Path.of("/opt/airlock/airlock-init");

    @TempDir
    Path dir;

    private static SandboxPlan plan(Tier tier, Map<String, String> templateEnv, Map<String, String> env) {
        TemplateRecipe recipe = new TemplateRecipe("base", "bookworm", List.of(), List.of(), Map.of(), templateEnv, "/", "root", "", Tier.RUNC);
        return new SandboxPlan("sbx1", new Template(recipe, Path.of("/templates/base/rootfs"), Instant.EPOCH),
                new Resources(0.25, 300 * MIB, 50, 64 * MIB), env, tier);
    }

    private ContainerLayout layout() {
        return new ContainerLayout(dir.resolve("home"), dir.resolve("run"), "airlock", "sbx1");
    }

    private JsonNode json(Tier tier, boolean canLowerOomScore) {
        return JSON.valueToTree(new BundleWriter(AGENT, canLowerOomScore).spec(layout(), plan(tier, Map.of(), Map.of()), "inc-1"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void spec_process_isRootInitWithNoNewPrivsAndTheCapabilityAllowlist() {
        JsonNode p = json(Tier.RUNC, true).get("process");

        assertThat(p.get("user").get("uid").asInt()).isZero();
        assertThat(strings(p.get("args"))).containsExactly("/.airlock/init");
        assertThat(p.get("cwd").asText()).isEqualTo("/");
        assertThat(p.get("terminal").asBoolean()).isFalse();
        assertThat(p.get("noNewPrivileges").asBoolean()).isTrue();
        List<String> docker = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID",
                "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
        for (String set : List.of("bounding", "effective", "permitted")) {
            assertThat(strings(p.get("capabilities").get(set))).as(set).containsExactlyInAnyOrderElementsOf(docker);
        }
        assertThat(p.get("capabilities").get("inheritable")).isEmpty();
        assertThat(p.get("capabilities").get("ambient")).isEmpty();
        assertThat(p.get("rlimits").toString()).contains("{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024}");
    }

    @Test
    void spec_oomScoreAdj_onlyWhenTheServerMayLowerIt() {
        assertThat(json(Tier.RUNC, true).get("process").get("oomScoreAdj").asInt()).isEqualTo(-999);
        assertThat(json(Tier.RUNC, false).get("process").has("oomScoreAdj")).isFalse();
    }

    @Test
    void spec_namespacesHostnameRootAndCgroupsPath() {
        JsonNode spec = json(Tier.RUNC, true);

        assertThat(spec.get("ociVersion").asText()).isEqualTo("1.0.2");
        assertThat(spec.get("hostname").asText()).isEqualTo("sbx1");
        assertThat(spec.get("root").get("path").asText()).isEqualTo(layout().rootfs().toString());
        assertThat(spec.get("root").get("readonly").asBoolean()).isFalse();
        assertThat(spec.get("linux").get("namespaces").findValuesAsText("type"))
                .containsExactlyInAnyOrder("pid", "mount", "ipc", "uts", "network", "cgroup");
        assertThat(spec.get("linux").get("namespaces").findValues("path")).as("all new, none joined").isEmpty();
        assertThat(spec.get("linux").get("cgroupsPath").asText()).isEqualTo("/airlock/sbx1");
        assertThat(spec.get("annotations").get("io.airlock.incarnation").asText()).isEqualTo("inc-1");
    }

    @Test
    void spec_resources_memoryEqualsSwapCpuQuotaPidsAndDenyAllDevices() {
        JsonNode r = json(Tier.RUNC, true).get("linux").get("resources");

        assertThat(r.get("memory").get("limit").asLong()).isEqualTo(300 * MIB);
        assertThat(r.get("memory").get("swap").asLong()).isEqualTo(300 * MIB);
        assertThat(r.get("cpu").get("quota").asLong()).isEqualTo(25_000);
        assertThat(r.get("cpu").get("period").asLong()).isEqualTo(100_000);
        assertThat(r.get("pids").get("limit").asLong()).isEqualTo(50);
        assertThat(r.get("devices").get(0).toString()).isEqualTo("{\"allow\":false,\"access\":\"rwm\"}");
        assertThat(r.get("devices").toString()).contains("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}");
    }

    @Test
    void spec_runscPidsLimit_coversGvisorsOwnTasks() {
        assertThat(json(Tier.RUNSC, true).get("linux").get("resources").get("pids").get("limit").asLong())
                .isEqualTo(2 * 50 + BundleWriter.RUNSC_TASK_OVERHEAD);
    }

    @Test
    void spec_mounts_minimalDevReadOnlySysTmpOfHalfMemoryAndReadOnlyInit() {
        JsonNode mounts = json(Tier.RUNC, true).get("mounts");

        assertThat(mounts.findValuesAsText("destination")).containsExactly(
                "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/tmp", "/.airlock/init");
        assertThat(mount(mounts, "/dev")).contains("\"size=64k\"", "\"mode=755\"", "\"nosuid\"");
        assertThat(mount(mounts, "/dev/pts")).contains("\"newinstance\"", "\"ptmxmode=0666\"", "\"mode=0620\"", "\"gid=5\"");
        assertThat(mount(mounts, "/dev/shm")).contains("\"size=64m\"", "\"noexec\"", "\"nodev\"");
        assertThat(mount(mounts, "/sys")).contains("\"ro\"");
        assertThat(mount(mounts, "/sys/fs/cgroup")).contains("\"ro\"");
        assertThat(mount(mounts, "/tmp")).contains("\"size=" + 150 * MIB + "\"", "\"nodev\"", "\"nosuid\"");
        assertThat(mount(mounts, "/.airlock/init")).contains("\"source\":\"" + AGENT + "\"", "\"bind\"", "\"ro\"").doesNotContain("noexec");
    }

    private static String mount(JsonNode mounts, String destination) {
        for (JsonNode m : mounts) {
            if (m.get("destination").asText().equals(destination)) {
                return m.toString();
            }
        }
        throw new AssertionError("no mount at " + destination + " in " + mounts);
    }

    @Test
    void spec_maskedAndReadonlyPaths_areDockers() {
        JsonNode linux = json(Tier.RUNC, true).get("linux");

        assertThat(strings(linux.get("maskedPaths"))).containsExactlyInAnyOrder(
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
        assertThat(strings(linux.get("readonlyPaths"))).containsExactlyInAnyOrder(
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    }

    @Test
    void spec_devices_areTheDefaultSet() {
        JsonNode devices = json(Tier.RUNC, true).get("linux").get("devices");

        assertThat(devices.findValuesAsText("path"))
                .containsExactly("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");
        assertThat(devices.findValuesAsText("fileMode")).containsOnly("438");
    }

    @Test
    void spec_env_fixedPathThenTemplateThenPlan() {
        SandboxPlan plan = plan(Tier.RUNC, Map.of("LANG", "C.UTF-8", "A", "template"), Map.of("A", "plan", "SECRET", "s3cr3t"));

        List<String> env = new BundleWriter(AGENT, true).spec(layout(), plan, "i").process().env();

        assertThat(env).containsExactly(BundleWriter.PATH_ENV, "A=plan", "LANG=C.UTF-8", "SECRET=s3cr3t");
    }

    @Test
    void spec_envWithNulByte_isRejected() {
        SandboxPlan plan = plan(Tier.RUNC, Map.of(), Map.of("BAD", "a\0b"));

        assertThatThrownBy(() -> new BundleWriter(AGENT, true).spec(layout(), plan, "i"))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("BAD")
                .hasMessageContaining("sbx1");
    }

    @Test
    void write_createsConfigJsonReadableOnlyByTheOwner_withNoNulls() throws IOException {
        ContainerLayout layout = layout();
        Files.createDirectories(layout.bundle());

        new BundleWriter(AGENT, false).write(layout, plan(Tier.RUNC, Map.of(), Map.of()), "i");

        assertThat(Files.getPosixFilePermissions(layout.config()))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        String text = Files.readString(layout.config());
        assertThat(text).doesNotContain(":null");
        assertThat(JSON.readTree(text).get("process").get("args").get(0).asText()).isEqualTo("/.airlock/init");
    }
}
