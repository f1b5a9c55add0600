package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.TemplateRecipe;
import io.airlock.core.Tier;
import io.airlock.core.UserSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MmdebstrapCommandTest {
    private static TemplateRecipe recipe(List<UserSpec> users) {
        return new TemplateRecipe("t", "bookworm", List.of("curl", "bash"), users, Map.of(), Map.of(), "", "root", "", Tier.RUNC);
    }

    @Test
    void quote_hostileString_reachesTheCommandAsOneUnchangedWord() throws IOException, InterruptedException {
        String hostile = "it's $(touch /tmp/pwned) `id` \"q\" \\ ; & *\nsecond line";

        Process sh = new ProcessBuilder("sh", "-c", "printf '%s' " + MmdebstrapCommand.quote(hostile)).start();

        assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(hostile);
        assertThat(sh.waitFor()).isZero();
    }

    @Test
    void packages_sudoUser_addsPasswdAndSudoSorted() {
        assertThat(MmdebstrapCommand.packages(recipe(List.of(new UserSpec("u", 1000, "/home/u", true)))))
                .containsExactly("bash", "curl", "passwd", "sudo");
    }

    @Test
    void packages_noUsers_addsNothing() {
        assertThat(MmdebstrapCommand.packages(recipe(List.of()))).containsExactly("bash", "curl");
    }

    @Test
    void of_recipe_runsMmdebstrapInRootModeInsidePrivateNamespacesWithSuiteAndTargetLast() {
        MmdebstrapCommand command = MmdebstrapCommand.of(
                recipe(List.of()), Path.of("/cache/h/rootfs.partial"), new TreeMap<>(), Path.of("/cache/h/packages.txt"));

        assertThat(command.argv()).startsWith("unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
                "mmdebstrap", "--mode=root");
        assertThat(command.argv()).contains("--include=bash,curl", "--format=directory")
                .endsWith("bookworm", "/cache/h/rootfs.partial");
        assertThat(command.argv()).filteredOn(a -> a.startsWith("--customize-hook=")).last().asString()
                .contains("dpkg-query").endsWith("> '/cache/h/packages.txt'");
    }
}
