package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.cli.Launcher.Run;
import io.airlock.server.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock workspace ...} through the real {@code ./airlock} against a real server (no sandboxes). */
@Timeout(300)
class CliWorkspaceTest {
    private static TestServer server;
    private static Launcher launcher;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        launcher = new Launcher(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Run ok(String... args) throws Exception {
        Run r = launcher.airlock(null, args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    static Path tar(Path file, Map<String, String> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (var f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(b.length);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return Files.write(file, out.toByteArray());
    }

    static Map<String, String> untar(Path tarGz) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(tarGz))))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    out.put(e.getName(), new String(t.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Test
    void workspace_createUploadVersionsDiffRestoreDownloadRm(@TempDir Path dir) throws Exception {
        String name = "cli-" + System.nanoTime();
        assertThat(ok("workspace", "create", name).out()).contains("created workspace " + name);
        assertThat(ok("workspace", "list").out()).contains(name);
        assertThat(ok("workspace", "upload", name, tar(dir.resolve("1.tar"), Map.of("a.txt", "one", "b.txt", "bee")).toString()).out())
                .contains("committed: version 1");
        assertThat(ok("workspace", "upload", name, tar(dir.resolve("2.tar"), Map.of("a.txt", "two")).toString()).out())
                .contains("committed: version 2");
        assertThat(ok("workspace", "versions", name).out()).contains("v2").contains("v1").contains("upload");
        assertThat(ok("workspace", "versions", name, "2").out()).contains("M a.txt (3 B)").contains("D b.txt (3 B)");
        assertThat(ok("workspace", "diff", name, "0", "1").out()).isEqualTo("A a.txt (3 B)\nA b.txt (3 B)\n");
        assertThat(ok("workspace", "show", name).out()).contains("v2");
        assertThat(ok("--json", "workspace", "show", name).out()).contains("\"head\" : 2");

        Path head = dir.resolve("head.tar.gz");
        ok("workspace", "download", name, head.toString());
        assertThat(untar(head)).isEqualTo(Map.of("a.txt", "two"));
        Path v1 = dir.resolve("v1.tar.gz");
        ok("workspace", "download", name, v1.toString(), "--version", "1");
        assertThat(untar(v1)).isEqualTo(Map.of("a.txt", "one", "b.txt", "bee"));

        assertThat(ok("workspace", "restore", name, "1").out()).contains("committed: version 3");
        assertThat(ok("workspace", "rm", name).out()).contains("deleted");
        Run gone = launcher.airlock(null, "workspace", "show", name);
        assertThat(gone.code()).isNotZero();
        assertThat(gone.err()).contains("no workspace named '" + name + "'");
    }

    @Test
    void workspace_badUploadsNameTheProblem(@TempDir Path dir) throws Exception {
        String name = "cli-bad-" + System.nanoTime();
        ok("workspace", "create", name);
        Run slip = launcher.airlock(null, "workspace", "upload", name, tar(dir.resolve("x.tar"), Map.of("../up", "x")).toString());
        assertThat(slip.code()).isNotZero();
        assertThat(slip.err()).contains("'../up'");
        Run missing = launcher.airlock(null, "workspace", "upload", name, dir.resolve("nope.tar").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.tar");
    }
}
