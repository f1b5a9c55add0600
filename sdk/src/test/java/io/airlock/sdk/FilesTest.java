package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The filesystem through the SDK, in one real sandbox. */
@Timeout(120)
class FilesTest {
    private static Sandbox sbx;

    @BeforeAll
    static void start() {
        sbx = TestAirlock.shared().client().sandboxes().create(SandboxSpec.builder().timeout(Duration.ofMinutes(5)).build());
    }

    @AfterAll
    static void stop() {
        if (sbx != null) {
            sbx.close();
        }
    }

    @Test
    void writeThenRead_textAndBytes_roundTrip() {
        sbx.files().write("/home/user/a.txt", "text ✓");
        assertThat(sbx.files().readString("/home/user/a.txt")).isEqualTo("text ✓");
        byte[] data = new byte[70_000];
        new Random(1).nextBytes(data);
        sbx.files().write("/home/user/deep/er/b.bin", data);
        assertThat(sbx.files().readBytes("/home/user/deep/er/b.bin")).isEqualTo(data);
    }

    @Test
    void writeThenRead_streams_roundTrip() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(2).nextBytes(data);
        sbx.files().write("/tmp/big.bin", new ByteArrayInputStream(data));
        try (InputStream in = sbx.files().readStream("/tmp/big.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void listStatMakeDirMoveRemove() {
        assertThat(sbx.files().makeDir("/home/user/dir/sub")).isTrue();
        assertThat(sbx.files().makeDir("/home/user/dir/sub")).as("already there").isFalse();
        sbx.files().write("/home/user/dir/f.txt", "12345");

        EntryInfo f = sbx.files().stat("/home/user/dir/f.txt");
        assertThat(f.type()).isEqualTo(EntryType.FILE);
        assertThat(f.size()).isEqualTo(5);
        assertThat(f.owner()).isEqualTo("user");
        assertThat(f.path()).isEqualTo("/home/user/dir/f.txt");
        assertThat(f.permissions()).startsWith("-rw");

        assertThat(sbx.files().list("/home/user/dir")).extracting(EntryInfo::name, EntryInfo::type)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("sub", EntryType.DIRECTORY),
                        org.assertj.core.groups.Tuple.tuple("f.txt", EntryType.FILE));

        EntryInfo moved = sbx.files().move("/home/user/dir/f.txt", "/home/user/dir/sub/g.txt");
        assertThat(moved.path()).isEqualTo("/home/user/dir/sub/g.txt");
        assertThat(sbx.files().exists("/home/user/dir/f.txt")).isFalse();
        assertThat(sbx.files().readString("/home/user/dir/sub/g.txt")).isEqualTo("12345");

        sbx.files().remove("/home/user/dir");
        assertThat(sbx.files().exists("/home/user/dir")).isFalse();
    }

    @Test
    void read_missingFile_throwsNotFoundNamingThePath() {
        assertThatThrownBy(() -> sbx.files().readString("/home/user/nope.txt"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("/home/user/nope.txt")
                .hasMessageContaining(sbx.sandboxId());
        assertThatThrownBy(() -> sbx.files().stat("/home/user/nope.txt")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void watch_seesAFileCreatedAfterItReturns() {
        sbx.files().makeDir("/home/user/watched");
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        try (WatchHandle w = sbx.files().watch("/home/user/watched", events::add)) {
            sbx.files().write("/home/user/watched/new.txt", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.name().equals("new.txt")));
        }
        assertThat(events).anySatisfy(e -> assertThat(e.type()).isIn(FileEvent.Type.CREATE, FileEvent.Type.WRITE));
    }

    @Test
    void watch_missingDirectory_throwsNotFound() {
        assertThatThrownBy(() -> sbx.files().watch("/home/user/no-such-dir", e -> { })).isInstanceOf(NotFoundException.class);
    }
}
