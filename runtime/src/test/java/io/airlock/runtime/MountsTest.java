package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount(2)/umount2(2) through FFM, and the mount table as /proc/self/mountinfo tells it. */
class MountsTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Mounts.under(dir).forEach(Mounts::unmount);
    }

    @Test
    void unescape_decodesMountinfoOctalEscapes() {
        assertThat(Mounts.unescape("/a\\040b\\011c\\134d")).isEqualTo("/a b\tc\\d");
        assertThat(Mounts.unescape("/plain")).isEqualTo("/plain");
        assertThat(Mounts.unescape("/x\\09")).isEqualTo("/x\\09");
    }

    @Test
    void under_listsNestedMountsDeepestFirst_evenWithSpacesInPaths() throws IOException {
        Path outer = Files.createDirectories(dir.resolve("with space"));
        ContainerSyscalls.mount("tmpfs", outer, "tmpfs", 0, "size=1m");
        Path inner = Files.createDirectories(outer.resolve("inner"));
        ContainerSyscalls.mount("tmpfs", inner, "tmpfs", 0, "size=1m");

        assertThat(Mounts.under(dir)).containsExactly(inner, outer);
        assertThat(Mounts.under(dir.resolve("with"))).isEmpty();
    }

    @Test
    void unmount_notMountedOrMissing_returnsFalse() {
        assertThat(Mounts.unmount(dir)).isFalse();
        assertThat(Mounts.unmount(dir.resolve("missing"))).isFalse();
    }

    @Test
    void mountOverlay_writesGoToUpper_lowerIsNeverTouched() throws IOException {
        Path lower = Files.createDirectories(dir.resolve("lower"));
        Files.writeString(lower.resolve("a"), "lower");
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path merged = Files.createDirectories(dir.resolve("merged"));

        Mounts.mountOverlay(lower, upper, work, merged);
        Files.writeString(merged.resolve("a"), "changed");
        Files.writeString(merged.resolve("b"), "new");
        Mounts.unmount(merged);

        assertThat(lower.resolve("a")).hasContent("lower");
        assertThat(lower.resolve("b")).doesNotExist();
        assertThat(upper.resolve("a")).hasContent("changed");
        assertThat(Mounts.under(dir)).isEmpty();
    }

    @Test
    void mountOverlay_pathWithComma_isRefusedBeforeMounting() throws IOException {
        Path lower = Files.createDirectories(dir.resolve("lo,wer"));

        assertThatThrownBy(() -> Mounts.mountOverlay(lower, dir, dir, dir))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("lo,wer");
    }

    @Test
    void mount_failure_namesTheCallAndErrno() {
        assertThatThrownBy(() -> ContainerSyscalls.mount("none", dir.resolve("missing"), "tmpfs", 0, ""))
                .isInstanceOf(ContainerSyscalls.SyscallException.class)
                .hasMessageContaining("mount(none on " + dir.resolve("missing"))
                .hasMessageContaining("No such file or directory (errno 2)");
    }
}
