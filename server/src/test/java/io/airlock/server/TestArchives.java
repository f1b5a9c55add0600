package io.airlock.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Workspace archives for tests: a tar of text files to upload, and the files of a downloaded tar.gz. */
public final class TestArchives {
    private TestArchives() {}

    /** A tar holding each path with its text. */
    public static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (var f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(b.length);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** The regular files of a tar.gz, path to text, in path order. */
    public static Map<String, String> untar(byte[] tarGz) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    out.put(e.getName(), new String(t.readAllBytes(), UTF_8));
                }
            }
        }
        return out;
    }
}
