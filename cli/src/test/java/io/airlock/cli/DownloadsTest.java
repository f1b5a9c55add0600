package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.sdk.EntryInfo;
import io.airlock.sdk.EntryType;
import io.airlock.sdk.FileEvent;
import io.airlock.sdk.SandboxFiles;
import io.airlock.sdk.WatchHandle;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Downloads} against a sandbox that lies: names, types, sizes and endless files. */
class DownloadsTest {
    @TempDir
    Path dir;

    private final StringWriter notes = new StringWriter();

    /** A fake sandbox file system: path → content (null for a directory, "LINK" for a symlink). */
    static final class FakeFiles implements SandboxFiles {
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final Map<String, EntryType> types = new LinkedHashMap<>();
        InputStream endless;

        void file(String path, String content) {
            files.put(path, content.getBytes(StandardCharsets.UTF_8));
            types.put(path, EntryType.FILE);
        }

        void add(String path, EntryType type) {
            types.put(path, type);
        }

        @Override
        public List<EntryInfo> list(String path) {
            List<EntryInfo> out = new ArrayList<>();
            types.forEach((p, t) -> {
                if (p.startsWith(path + "/") && p.indexOf('/', path.length() + 1) < 0) {
                    out.add(new EntryInfo(p.substring(path.length() + 1), t, p, 0, 0644, "-rw-r--r--", "user", "user", Instant.EPOCH, null,
                            Map.of()));
                }
            });
            return out;
        }

        @Override
        public InputStream readStream(String path) {
            return endless != null ? endless : new ByteArrayInputStream(files.get(path));
        }

        @Override public void write(String path, String text) { throw new UnsupportedOperationException(); }
        @Override public void write(String path, byte[] data) { throw new UnsupportedOperationException(); }
        @Override public void write(String path, InputStream data) { throw new UnsupportedOperationException(); }
        @Override public byte[] readBytes(String path) { throw new UnsupportedOperationException(); }
        @Override public String readString(String path) { throw new UnsupportedOperationException(); }
        @Override public EntryInfo stat(String path) { throw new UnsupportedOperationException(); }
        @Override public boolean exists(String path) { throw new UnsupportedOperationException(); }
        @Override public boolean makeDir(String path) { throw new UnsupportedOperationException(); }
        @Override public EntryInfo move(String from, String to) { throw new UnsupportedOperationException(); }
        @Override public void remove(String path) { throw new UnsupportedOperationException(); }
        @Override public WatchHandle watch(String path, Consumer<FileEvent> onEvent) { throw new UnsupportedOperationException(); }
    }

    private Downloads downloads(FakeFiles f, long maxBytes) {
        return new Downloads(f, new PrintWriter(notes, true), maxBytes);
    }

    @Test
    void copyTree_takesFilesAndDirectories_skipsTheRestWithEscapedNames() throws Exception {
        FakeFiles f = new FakeFiles();
        f.file("/out/a.txt", "A");
        f.add("/out/sub", EntryType.DIRECTORY);
        f.file("/out/sub/b.txt", "B");
        f.add("/out/link", EntryType.SYMLINK);
        f.add("/out/\u001b]2;PWNED\u0007", EntryType.OTHER);
        f.add("/out/..", EntryType.DIRECTORY);
        downloads(f, 1 << 20).copyTree("/out", dir.resolve("got"));
        assertThat(Files.readString(dir.resolve("got/a.txt"))).isEqualTo("A");
        assertThat(Files.readString(dir.resolve("got/sub/b.txt"))).isEqualTo("B");
        assertThat(dir.resolve("got/link")).doesNotExist();
        assertThat(notes.toString()).contains("\\x1b]2;PWNED\\x07").doesNotContain("\u001b").contains("unusable name");
    }

    @Test
    void copyTree_neverOverwritesOrMergesIntoWhatIsThere() throws Exception {
        FakeFiles f = new FakeFiles();
        f.file("/out/.bashrc", "evil");
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".bashrc"), "mine");
        assertThatThrownBy(() -> downloads(f, 1 << 20).copyTree("/out", home))
                .isInstanceOf(CliException.class).hasMessageContaining("not empty");
        assertThat(Files.readString(home.resolve(".bashrc"))).isEqualTo("mine");

        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, home);
        assertThatThrownBy(() -> downloads(f, 1 << 20).copyTree("/out", link)).hasMessageContaining("symbolic link");

        Path target = dir.resolve("single");
        Files.writeString(target, "mine");
        assertThatThrownBy(() -> downloads(f, 1 << 20).copyFile("/out/.bashrc", target)).hasMessageContaining("already exists");
        assertThat(Files.readString(target)).as("an existing file is left alone, not deleted").isEqualTo("mine");
    }

    @Test
    void copyTree_stopsAnEndlessFileAtTheByteCap_andLeavesNoHalfFile() throws Exception {
        FakeFiles f = new FakeFiles();
        f.add("/out/huge", EntryType.FILE);
        f.endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        assertThatThrownBy(() -> downloads(f, 1 << 20).copyTree("/out", dir.resolve("got")))
                .isInstanceOf(CliException.class).hasMessageContaining("passed 1048576 bytes");
        assertThat(dir.resolve("got/huge")).doesNotExist();
    }
}
