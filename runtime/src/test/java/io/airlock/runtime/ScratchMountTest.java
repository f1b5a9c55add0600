package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.BindMount;
import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.ProcessSpec;
import io.airlock.core.Resources;
import io.airlock.core.RuntimeSandbox;
import io.airlock.core.SandboxPlan;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.ScratchVolume;
import io.airlock.core.Template;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scratch volumes bind-mounted into sandboxes, as workspaces are: read-only really is, the tmpfs
 * caps hold from inside, and nothing stays mounted afterwards.
 */
class ScratchMountTest {
    private static final String WS = "/home/user/workspace";
    private static Path home;
    private static Path state;
    private static SandboxRuntime runtime;
    private static Template base;

    @BeforeAll
    static void open() throws Exception {
        Templates templates = TemplateCatalog.open(SandboxFixture.TEMPLATES, Clock.systemUTC());
        base = templates.build(BuiltinTemplates.BASE, BuildProgress.NONE);
        home = Files.createTempDirectory("airlock-scratch-test");
        state = Path.of("/run/airlock-scratch-test-" + ProcessHandle.current().pid());
        runtime = OciRuntime.create(home, state, SandboxFixture.AGENT);
        runtime.recover();
    }

    @AfterAll
    static void close() {
        runtime.close();
        assertThat(SandboxFixture.resources(home, state).isEmpty()).as("leaked: %s", SandboxFixture.resources(home, state)).isTrue();
    }

    static Stream<Tier> tiers() {
        return SandboxFixture.tiers();
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void aReadOnlyMountRefusesWritesEvenFromRoot(Tier tier) throws Exception {
        try (ScratchVolume vol = runtime.scratch("ro-" + tier.binary(), 1 << 20, 64, 1000, 1000)) {
            Files.writeString(vol.path().resolve("hello.txt"), "from the host");
            RuntimeSandbox s = start(tier, new BindMount(vol.path(), WS, true));
            try {
                assertThat(sh(s, "user", "cat " + WS + "/hello.txt")).isEqualTo("0:from the host");
                assertThat(sh(s, "user", "touch " + WS + "/new 2>&1; echo $?")).contains("Read-only file system");
                assertThat(sh(s, "root", "echo x > " + WS + "/hello.txt 2>&1; mount -o remount,rw " + WS + " 2>&1; cat " + WS + "/hello.txt"))
                        .contains("from the host").doesNotContain("0:x");
            } finally {
                s.kill();
            }
            assertThat(Files.readString(vol.path().resolve("hello.txt"))).isEqualTo("from the host");
            assertThat(Files.list(vol.path()).count()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void aReadWriteMountReachesTheHostWithinTheVolumeCaps(Tier tier) throws Exception {
        ScratchVolume vol = runtime.scratch("rw-" + tier.binary(), 1 << 20, 32, 1000, 1000);
        try {
            RuntimeSandbox s = start(tier, new BindMount(vol.path(), WS, false));
            try {
                assertThat(sh(s, "user", "echo made-inside > " + WS + "/out.txt && echo ok")).isEqualTo("0:ok\n");
                assertThat(sh(s, "user", "head -c 2M /dev/zero 2>&1 > " + WS + "/big; echo $?"))
                        .contains("No space left on device");
                assertThat(sh(s, "user", "rm -f " + WS + "/big; for i in $(seq 1 40); do touch " + WS + "/f$i 2>/dev/null || break; done; ls " + WS + " | wc -l"))
                        .satisfies(out -> assertThat(Integer.parseInt(out.substring(2).trim())).isLessThan(40));
                assertThat(sh(s, "root", "mknod " + WS + "/null c 1 3 2>&1; echo $?")).doesNotEndWith(":0\n").doesNotEndWith("\n0\n");
            } finally {
                s.kill();
            }
            assertThat(Files.readString(vol.path().resolve("out.txt"))).isEqualTo("made-inside\n");
            assertThat(Files.exists(vol.path().resolve("null"))).isFalse();
        } finally {
            vol.close();
        }
        assertThat(Files.exists(vol.path())).isFalse();
    }

    private static RuntimeSandbox start(Tier tier, BindMount mount) {
        return runtime.start(new SandboxPlan(ContainerFixture.newId(), base, SandboxPolicy.standard().defaults(), Map.of(), tier,
                false, List.of(mount)));
    }

    /** {@code exit:stdout} of {@code bash -c command} as {@code user}. */
    private static String sh(RuntimeSandbox s, String user, String command) throws InterruptedException {
        var p = s.spawn(new ProcessSpec(List.of("/bin/bash", "-c", command), Map.of(), "/", user, false, null, ""));
        SandboxFixture.Run r = SandboxFixture.collect(p, Duration.ofSeconds(60));
        return r.exit() + ":" + r.stdout();
    }
}
