package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v1 operations on a cgroup made by hand (as runc would) and filled with ordinary host
 * processes: a shell that forks {@code sleep}s once it has been moved in.
 */
class CgroupV1Test {
    private final String parent = "airlock-cgtest-" + UUID.randomUUID().toString().substring(0, 8);
    private CgroupV1 cgroup;
    private Process shell;

    @BeforeEach
    void makeCgroup() throws IOException {
        for (Path hierarchy : CgroupHierarchies.list(CgroupHierarchies.ROOT)) {
            Files.createDirectories(hierarchy.resolve(parent).resolve("box"));
        }
        // a new cpuset cgroup has no CPUs or memory nodes and takes no tasks until given some (runc copies them too)
        Path cpuset = CgroupHierarchies.ROOT.resolve("cpuset");
        for (Path dir : new Path[] {cpuset.resolve(parent), cpuset.resolve(parent).resolve("box")}) {
            for (String file : new String[] {"cpuset.cpus", "cpuset.mems"}) {
                Files.writeString(dir.resolve(file), Files.readString(cpuset.resolve(file)).strip());
            }
        }
        cgroup = new CgroupV1(CgroupHierarchies.ROOT, "/" + parent + "/box");
    }

    @AfterEach
    void removeCgroup() throws IOException {
        if (shell != null) {
            shell.destroyForcibly();
        }
        cgroup.killAll(Duration.ofSeconds(5));
        cgroup.remove();
        for (Path hierarchy : CgroupHierarchies.list(CgroupHierarchies.ROOT)) {
            Files.deleteIfExists(hierarchy.resolve(parent));
        }
    }

    /** Starts {@code sh}, moves it into the cgroup in every hierarchy, then lets it fork three sleeps. */
    private Set<Integer> fill() throws IOException {
        shell = new ProcessBuilder("sh", "-c", "read go; sleep 1000 & sleep 1000 & sleep 1000 & wait").start();
        for (Path dir : cgroup.dirs()) {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(shell.pid()));
        }
        OutputStream in = shell.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.tasks().size() == 4);
        return cgroup.tasks();
    }

    @Test
    void hierarchiesAndChildren_seeEveryMountedController() {
        assertThat(CgroupHierarchies.list(CgroupHierarchies.ROOT)).extracting(p -> p.getFileName().toString())
                .contains("cpu", "cpuacct", "memory", "pids", "freezer", "devices", "blkio", "cpuset");
        assertThat(CgroupHierarchies.children(CgroupHierarchies.ROOT, parent)).containsExactly("box");
        assertThat(cgroup.dirs()).hasSameSizeAs(CgroupHierarchies.list(CgroupHierarchies.ROOT));
    }

    @Test
    void tasks_listTheProcessesMovedInAndTheirChildren() throws IOException {
        Set<Integer> tasks = fill();

        assertThat(tasks).contains((int) shell.pid()).hasSize(4);
        assertThat(CgroupHierarchies.processesUnder("/" + parent)).containsExactlyInAnyOrderElementsOf(tasks);
        assertThat(cgroup.pids()).isEqualTo(4);
    }

    @Test
    void freeze_thaw_reportTheFreezerState() throws IOException {
        fill();

        cgroup.freeze();
        assertThat(cgroup.frozen()).isTrue();
        cgroup.freeze();
        assertThat(cgroup.frozen()).isTrue();

        cgroup.thaw();
        assertThat(cgroup.frozen()).isFalse();
    }

    @Test
    void killAll_killsEveryTaskAndEmptiesTheCgroup() throws Exception {
        fill();

        assertThat(cgroup.killAll(Duration.ofSeconds(5))).isTrue();

        assertThat(cgroup.tasks()).isEmpty();
        assertThat(cgroup.awaitGone(Duration.ofSeconds(2))).isTrue();
        assertThat(shell.waitFor()).isEqualTo(137);
        assertThat(cgroup.frozen()).as("left thawed").isFalse();
    }

    @Test
    void remove_refusesWhileTasksRemain_thenRemovesEveryHierarchysDirectory() throws IOException {
        fill();

        assertThatThrownBy(cgroup::remove).isInstanceOf(RuntimeFailureException.class).hasMessageContaining(parent + "/box");
        cgroup.killAll(Duration.ofSeconds(5));
        cgroup.remove();

        assertThat(cgroup.exists()).isFalse();
        cgroup.remove(); // already gone
    }

    @Test
    void stats_readLimitsUsageAndOomKills() throws IOException {
        Files.writeString(CgroupHierarchies.ROOT.resolve("memory").resolve(parent).resolve("box/memory.limit_in_bytes"), "67108864");
        fill();

        assertThat(cgroup.memoryLimitBytes()).isEqualTo(64L << 20);
        assertThat(cgroup.memoryBytes()).isPositive();
        assertThat(cgroup.cpuNanos()).isPositive();
        assertThat(cgroup.oomKills()).isZero();
        assertThat(cgroup.pidsLimit()).isEqualTo(-1);
    }
}
