package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.TemplateBuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateFilesTest {
    @TempDir
    Path dir;

    @Test
    void deleteTree_symlinkToOutside_deletesTheLinkNotTheTarget() throws IOException {
        Path outside = Files.writeString(dir.resolve("outside"), "keep me");
        Path tree = Files.createDirectories(dir.resolve("tree/etc"));
        Files.createSymbolicLink(tree.resolve("link"), outside);
        Files.createSymbolicLink(tree.resolve("dirlink"), dir);

        TemplateFiles.deleteTree(dir.resolve("tree"));

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("keep me");
    }

    @Test
    void deleteTree_filesystemMountedInside_refusesAndDeletesNothing() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("dev"));
        run("mount", "-t", "tmpfs", "tmpfs", tree.resolve("dev").toString());
        try {
            Files.writeString(tree.resolve("dev/null-stand-in"), "host file");

            assertThatThrownBy(() -> TemplateFiles.deleteTree(dir.resolve("tree")))
                    .isInstanceOf(TemplateBuildException.class)
                    .hasMessageContaining("refusing to delete " + dir.resolve("tree"))
                    .hasMessageContaining(tree.resolve("dev").toString());
            assertThat(tree.resolve("dev/null-stand-in")).hasContent("host file");
        } finally {
            run("umount", tree.resolve("dev").toString());
        }
    }

    @Test
    void writeAtomically_existingFile_isReplacedWithMode0644AndNoTempLeft() throws IOException {
        Path target = Files.writeString(dir.resolve("recipe.json"), "old");

        TemplateFiles.writeAtomically(target, "new".getBytes());

        assertThat(target).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }
}
