package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.EntryInfo;
import io.airlock.core.FileEvent;
import io.airlock.core.FileWatch;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFileException.Reason;
import io.airlock.core.SandboxFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentFilesTest {
    private static final Duration WAIT = AgentFixture.WAIT;

    @TempDir
    Path dir;

    private AgentFixture fixture;
    private SandboxFiles files;

    @BeforeEach
    void start() {
        fixture = AgentFixture.start();
        files = fixture.conn.files();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void write_thenRead_roundTrips5MiB() throws IOException {
        byte[] data = new byte[5 << 20];
        new Random(42).nextBytes(data);
        String path = dir.resolve("sub/dir/blob.bin").toString();

        EntryInfo written = files.write(path, "root", new ByteArrayInputStream(data), Map.of());
        byte[] back;
        try (InputStream in = files.read(path, "root")) {
            back = in.readAllBytes();
        }

        assertThat(written.size()).isEqualTo(data.length);
        assertThat(written.type()).isEqualTo(EntryInfo.Type.FILE);
        assertThat(written.path()).isEqualTo(path);
        assertThat(back).isEqualTo(data);
        assertThat(Files.readAllBytes(Path.of(path))).isEqualTo(data);
        assertThat(fixture.conn.peakBufferedBytes()).isLessThanOrEqualTo(AgentFrames.WINDOW);
    }

    @Test
    void write_existingFile_truncatesIt() throws IOException {
        Path p = dir.resolve("t.txt");
        Files.writeString(p, "a much longer original content");

        EntryInfo e = files.write(p.toString(), "root", text("short"), Map.of());

        assertThat(e.size()).isEqualTo(5);
        assertThat(Files.readString(p)).isEqualTo("short");
    }

    @Test
    void write_emptyData_createsEmptyFile() {
        EntryInfo e = files.write(dir.resolve("empty").toString(), "root", InputStream.nullInputStream(), Map.of());

        assertThat(e.size()).isZero();
        assertThat(dir.resolve("empty")).isEmptyFile();
    }

    @Test
    void write_metadata_isStoredAndReported() {
        String path = dir.resolve("m.txt").toString();

        EntryInfo written = files.write(path, "root", text("x"), Map.of("origin", "upload", "k", "v"));

        assertThat(written.metadata()).containsEntry("origin", "upload").containsEntry("k", "v");
        assertThat(files.stat(path, "root").metadata()).containsEntry("origin", "upload");
    }

    @Test
    void write_sourceFails_removesPartialFileAndSaysSo() {
        Path p = dir.resolve("partial.bin");
        InputStream failing = new InputStream() {
            private int left = 200_000;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new IOException("client went away");
                }
                int n = Math.min(len, left);
                left -= n;
                return n;
            }
        };

        assertThatThrownBy(() -> files.write(p.toString(), "root", failing, Map.of()))
                .hasMessageContaining("partial file was removed")
                .hasRootCauseMessage("client went away");
        assertThat(p).doesNotExist();
        assertThat(fixture.conn.ping()).isPositive();
    }

    @Test
    void write_asNobodyIntoRootDir_isPermissionDenied() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("root-only"));
        dir.toFile().setExecutable(true, false);
        shared.toFile().setExecutable(true, false);

        assertThatThrownBy(() -> files.write(shared.resolve("f").toString(), "nobody", text("x"), Map.of()))
                .isInstanceOf(SandboxFileException.class)
                .extracting(e -> ((SandboxFileException) e).reason())
                .isEqualTo(Reason.PERMISSION_DENIED);
    }

    @Test
    void read_missing_isNotFound() {
        assertThatThrownBy(() -> files.read(dir.resolve("nope").toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_FOUND))
                .satisfies(e -> assertThat(((SandboxFileException) e).path()).endsWith("/nope"));
    }

    @Test
    void read_emptyFile_isEmptyStream() throws IOException {
        Files.createFile(dir.resolve("zero"));

        try (InputStream in = files.read(dir.resolve("zero").toString(), "root")) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void read_fifo_isRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        assertThatThrownBy(() -> files.read(fifo.toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_REGULAR_FILE));
        assertThatThrownBy(() -> files.write(fifo.toString(), "root", text("x"), Map.of()))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_REGULAR_FILE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void read_directory_isRefused() {
        assertThatThrownBy(() -> files.read(dir.toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_REGULAR_FILE));
    }

    @Test
    void read_closedEarly_releasesEverythingAndKeepsTheConnection() throws IOException {
        Path big = dir.resolve("big");
        Files.write(big, new byte[8 << 20]);

        InputStream in = files.read(big.toString(), "root");
        assertThat(in.read()).isZero();
        in.close();

        await().atMost(WAIT).until(() -> fixture.conn.bufferedBytes() == 0);
        assertThat(fixture.conn.ping()).isPositive();
        try (InputStream again = files.read(big.toString(), "root")) {
            assertThat(again.readAllBytes()).hasSize(8 << 20);
        }
    }

    @Test
    void read_closedEarlyOnHugeSparseFile_stopsTheTransfer() throws IOException {
        Path sparse = dir.resolve("sparse");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(1L << 40);
        }

        InputStream in = files.read(sparse.toString(), "root");
        assertThat(in.read()).isZero();
        in.close();

        await().atMost(WAIT).until(() -> fixture.conn.bufferedBytes() == 0);
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> agentOffsetIn(sparse) < AgentReadStream.DRAIN_LIMIT + (1 << 20));
        assertThat(fixture.conn.ping()).isPositive();
    }

    /** How far the agent has read into {@code file}, from its open descriptor; 0 once closed. */
    private long agentOffsetIn(Path file) throws IOException {
        Path fds = Path.of("/proc", Long.toString(fixture.agent.pid()), "fd");
        try (var links = Files.list(fds)) {
            for (Path fd : links.toList()) {
                if (Files.isSymbolicLink(fd) && Files.readSymbolicLink(fd).equals(file)) {
                    Path info = Path.of("/proc", Long.toString(fixture.agent.pid()), "fdinfo", fd.getFileName().toString());
                    return Long.parseLong(Files.readAllLines(info).getFirst().replaceAll("[^0-9]", ""));
                }
            }
        } catch (NoSuchFileException e) {
            // the descriptor closed while we looked
        }
        return 0;
    }

    @Test
    void read_slowReader_holdsAtMostOneWindow() throws IOException {
        Path big = dir.resolve("big");
        Files.write(big, new byte[4 << 20]);

        try (InputStream in = files.read(big.toString(), "root")) {
            await().atMost(WAIT).until(() -> fixture.conn.bufferedBytes() >= AgentFrames.WINDOW);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> fixture.conn.bufferedBytes() <= AgentFrames.WINDOW);
            assertThat(in.readAllBytes()).hasSize(4 << 20);
        }
        assertThat(fixture.conn.peakBufferedBytes()).isLessThanOrEqualTo(AgentFrames.WINDOW);
    }

    @Test
    void read_asNobody_isPermissionDenied() throws IOException {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "s");
        dir.toFile().setExecutable(true, false);
        secret.toFile().setReadable(false, false);
        secret.toFile().setReadable(true, true);

        assertThatThrownBy(() -> files.read(secret.toString(), "nobody"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.PERMISSION_DENIED));
    }

    @Test
    void stat_file_reportsTypeSizeModeOwnerAndTime() throws IOException {
        Path p = dir.resolve("s.txt");
        Files.writeString(p, "12345");
        Instant before = Instant.now().minus(1, ChronoUnit.MINUTES);

        EntryInfo e = files.stat(p.toString(), "root");

        assertThat(e.name()).isEqualTo("s.txt");
        assertThat(e.path()).isEqualTo(p.toString());
        assertThat(e.type()).isEqualTo(EntryInfo.Type.FILE);
        assertThat(e.size()).isEqualTo(5);
        assertThat(e.mode() & 0170000).isEqualTo(0100000);
        assertThat(e.owner()).isEqualTo("root");
        assertThat(e.modified()).isAfter(before).isBefore(Instant.now().plusSeconds(5));
    }

    @Test
    void stat_symlink_isNotFollowed() throws IOException {
        Files.writeString(dir.resolve("target.txt"), "twelve bytes");
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("target.txt"));

        EntryInfo e = files.stat(link.toString(), "root");

        assertThat(e.type()).isEqualTo(EntryInfo.Type.SYMLINK);
        assertThat(e.symlinkTarget()).isEqualTo("target.txt");
        assertThat(e.size()).isNotEqualTo(12);
    }

    @Test
    void stat_missing_isNotFound() {
        assertThatThrownBy(() -> files.stat(dir.resolve("none").toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void list_depth_limitsHowFarItDescends() throws IOException {
        Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(dir.resolve("a/f1"), "1");
        Files.writeString(dir.resolve("a/b/f2"), "2");

        List<String> one = files.list(dir.resolve("a").toString(), 1, "root").stream().map(EntryInfo::path).toList();
        List<String> two = files.list(dir.resolve("a").toString(), 2, "root").stream().map(EntryInfo::path).toList();

        String a = dir.resolve("a").toString();
        assertThat(one).containsExactlyInAnyOrder(a + "/b", a + "/f1");
        assertThat(two).containsExactlyInAnyOrder(a + "/b", a + "/f1", a + "/b/c", a + "/b/f2");
    }

    @Test
    void list_depthZero_isInvalid() {
        assertThatThrownBy(() -> files.list(dir.toString(), 0, "root")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("depth");
    }

    @Test
    void list_file_isNotADirectory() throws IOException {
        Files.writeString(dir.resolve("plain"), "x");

        assertThatThrownBy(() -> files.list(dir.resolve("plain").toString(), 1, "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_A_DIRECTORY));
    }

    @Test
    void makeDir_createsParents() {
        Path p = dir.resolve("x/y/z");

        EntryInfo e = files.makeDir(p.toString(), "root");

        assertThat(e.type()).isEqualTo(EntryInfo.Type.DIRECTORY);
        assertThat(p).isDirectory();
    }

    @Test
    void makeDir_existing_isAlreadyExists() {
        assertThatThrownBy(() -> files.makeDir(dir.toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.ALREADY_EXISTS));
    }

    @Test
    void move_file_returnsTheDestination() throws IOException {
        Files.writeString(dir.resolve("from"), "moved");

        EntryInfo e = files.move(dir.resolve("from").toString(), dir.resolve("to").toString(), "root");

        assertThat(e.path()).isEqualTo(dir.resolve("to").toString());
        assertThat(dir.resolve("from")).doesNotExist();
        assertThat(dir.resolve("to")).hasContent("moved");
    }

    @Test
    void move_missingSource_isNotFound() {
        assertThatThrownBy(() -> files.move(dir.resolve("ghost").toString(), dir.resolve("to").toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void remove_directory_isRecursiveAndKeepsSymlinkTargets() throws IOException {
        Path keep = Files.writeString(dir.resolve("keep"), "k");
        Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(dir.resolve("tree/sub/f"), "f");
        Files.createSymbolicLink(dir.resolve("tree/link"), keep);

        files.remove(dir.resolve("tree").toString(), "root");

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(keep).hasContent("k");
    }

    @Test
    void remove_missing_isNotFound() {
        assertThatThrownBy(() -> files.remove(dir.resolve("ghost").toString(), "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void paths_emptyOrWithNul_areInvalidBeforeReachingTheAgent() {
        assertThatThrownBy(() -> files.stat("", "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.INVALID_PATH));
        assertThatThrownBy(() -> files.read("/etc/passwd\0.txt", "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.INVALID_PATH));
        assertThat(fixture.conn.ping()).isPositive();
    }

    @Test
    void watch_changes_reportsEventsRelativeToTheDirectory() throws Exception {
        try (FileWatch watch = files.watch(dir.toString(), false, "root")) {
            Files.writeString(dir.resolve("new.txt"), "hi");
            Files.delete(dir.resolve("new.txt"));

            List<FileEvent> events = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                watch.next(Duration.ofMillis(100)).ifPresent(events::add);
                return events.stream().anyMatch(e -> e.type() == FileEvent.Type.REMOVE);
            });

            assertThat(events).contains(new FileEvent(FileEvent.Type.CREATE, "new.txt"), new FileEvent(FileEvent.Type.REMOVE, "new.txt"));
        }
    }

    @Test
    void watch_recursive_seesNestedChanges() throws Exception {
        Files.createDirectories(dir.resolve("deep/er"));
        try (FileWatch watch = files.watch(dir.toString(), true, "root")) {
            Files.writeString(dir.resolve("deep/er/n.txt"), "hi");

            List<FileEvent> events = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                watch.next(Duration.ofMillis(100)).ifPresent(events::add);
                return events.contains(new FileEvent(FileEvent.Type.CREATE, "deep/er/n.txt"));
            });
        }
    }

    @Test
    void watch_closed_stopsDeliveringAndKeepsTheConnection() throws Exception {
        FileWatch watch = files.watch(dir.toString(), false, "root");

        watch.close();
        Files.writeString(dir.resolve("after.txt"), "x");

        assertThatThrownBy(() -> watch.next(Duration.ofMillis(100))).isInstanceOf(IllegalStateException.class);
        assertThat(fixture.conn.ping()).isPositive();
    }

    @Test
    void watch_missingDirectory_isNotFound() {
        assertThatThrownBy(() -> files.watch(dir.resolve("ghost").toString(), false, "root"))
                .isInstanceOf(SandboxFileException.class)
                .satisfies(e -> assertThat(((SandboxFileException) e).reason()).isEqualTo(Reason.NOT_FOUND));
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
