package io.airlock.store.workspace;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.SealedStreams;
import io.airlock.core.workspace.Change.EntryType;
import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceLimits;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.SecretKey;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;

/**
 * Archives in and out of workspaces. Import reads tar, tar.gz or zip (told apart by their first
 * bytes) as hostile input: every entry's path is checked, hard links, devices and FIFOs are
 * refused, symlinks are kept as links (never followed: an entry under one makes the tree
 * invalid), and the whole input is bounded by the workspace limits. Export writes tar.gz.
 */
final class Archives {
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    private Archives() {}

    private static InvalidRequestException refused(String entry, String why) {
        return new InvalidRequestException("archive", "archive entry '" + printable(entry) + "' refused: " + why);
    }

    private static String printable(String s) {
        String cut = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** Reads an archive into a tree, storing its files as blobs; nothing is committed. */
    static Tree read(InputStream raw, Blobs blobs, Blobs.Keys keys, WorkspaceLimits limits, Blobs.Batch batch) throws IOException {
        // Headers and padding are bounded too, so a decompression bomb stops early.
        long inputCap = limits.maxBytes() + (long) limits.maxEntries() * 4096 + (16L << 20);
        BufferedInputStream in = new BufferedInputStream(new Capped(raw, inputCap), 64 * 1024);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        ArchiveInputStream<? extends ArchiveEntry> archive;
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            archive = tar(new BufferedInputStream(new Capped(new GZIPInputStream(in, 64 * 1024), inputCap), 64 * 1024));
        } else if (magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 || magic[2] == 5)) {
            // No STORED entries with a data descriptor: commons-compress buffers such an entry whole in memory.
            archive = new ZipArchiveInputStream(in, "UTF-8", true, false);
        } else if (magic.length == 0) {
            throw new InvalidRequestException("archive", "the archive is empty; send a tar, tar.gz or zip file");
        } else {
            archive = tar(in);
        }
        SecretKey spoolKey = Aead.newKey(); // lives only in memory: spooled bytes are unreadable after a crash
        Map<String, Entry> entries = new LinkedHashMap<>();
        long bytes = 0;
        long pathBytes = 0;
        try (archive) {
            for (ArchiveEntry ae; (ae = nextEntry(archive)) != null; ) {
                String raw0 = ae.getName();
                String name = normalise(raw0, ae.isDirectory());
                if (name.isEmpty()) {
                    continue; // "./" itself
                }
                String problem = Tree.pathProblem(name);
                if (problem != null) {
                    throw refused(raw0, problem);
                }
                if (entries.containsKey(name)) {
                    throw refused(raw0, "the archive holds this path twice");
                }
                pathBytes += name.length() + 64;
                if (pathBytes > Tree.MAX_TREE_PATH_BYTES) {
                    throw new WorkspaceLimitException("too many or too long paths: the archive's paths pass "
                            + (Tree.MAX_TREE_PATH_BYTES >> 20) + " MiB (at entry '" + printable(raw0) + "')");
                }
                if (entries.size() + 1 > limits.maxEntries()) {
                    throw new WorkspaceLimitException("too many entries: the archive holds more than the workspace limit of "
                            + limits.maxEntries() + " files, directories and links (at entry '" + printable(raw0) + "')");
                }
                Entry e;
                if (ae instanceof TarArchiveEntry t) {
                    e = tarEntry(t, name, archive, blobs, keys, spoolKey, limits.maxBytes() - bytes, batch);
                } else {
                    e = zipEntry((ZipArchiveEntry) ae, name, archive, blobs, keys, spoolKey, limits.maxBytes() - bytes, batch);
                }
                bytes += e.size();
                entries.put(name, e);
            }
        }
        // Archives often leave out directory entries: add the missing ones (0755).
        for (String path : List.copyOf(entries.keySet())) {
            for (String p = Tree.parent(path); p != null && !entries.containsKey(p); p = Tree.parent(p)) {
                Entry dir = Entry.dir(p, 0755);
                entries.put(p, dir);
            }
        }
        Tree tree = Tree.of(entries.values());
        Map<String, String> problems = tree.problems();
        if (!problems.isEmpty()) {
            var first = problems.entrySet().iterator().next();
            throw refused(first.getKey(), first.getValue());
        }
        tree.checkLimits(limits);
        return tree;
    }

    /** A tar reader, once the first header checks out (or the archive is empty: zero blocks). */
    private static TarArchiveInputStream tar(BufferedInputStream in) throws IOException {
        in.mark(512);
        byte[] header;
        try {
            header = in.readNBytes(512);
        } catch (WorkspaceLimitIo w) {
            throw w.limit;
        } catch (IOException e) {
            throw new InvalidRequestException("archive", "the archive is malformed: " + e.getMessage()
                    + "; send a tar, tar.gz or zip file");
        }
        in.reset();
        boolean zeros = true;
        for (byte b : header) {
            zeros &= b == 0;
        }
        if (header.length < 512 || !(zeros || TarArchiveInputStream.matches(header, header.length))) {
            throw new InvalidRequestException("archive", "the upload is not a tar, tar.gz or zip archive (a gzip stream must hold "
                    + "a tar); send one of those");
        }
        return new TarArchiveInputStream(new TarGuard(in));
    }

    private static ArchiveEntry nextEntry(ArchiveInputStream<? extends ArchiveEntry> archive) throws IOException {
        try {
            return archive.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof WorkspaceLimitIo w) {
                throw w.limit;
            }
            throw new InvalidRequestException("archive", "the archive is malformed: " + e.getMessage()
                    + "; send a tar, tar.gz or zip file");
        }
    }

    private static String normalise(String name, boolean dir) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.equals(".")) {
            return "";
        }
        if (dir && n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    private static Entry tarEntry(TarArchiveEntry t, String name, InputStream data, Blobs blobs, Blobs.Keys keys, SecretKey spoolKey,
            long left, Blobs.Batch batch) throws IOException {
        String raw = t.getName();
        int mode = t.getMode() & 0777;
        if (t.isLink()) {
            throw refused(raw, "hard links are not allowed; store a copy or a symlink");
        }
        if (t.isCharacterDevice() || t.isBlockDevice()) {
            throw refused(raw, "device entries are not allowed");
        }
        if (t.isFIFO()) {
            throw refused(raw, "FIFO entries are not allowed");
        }
        if (t.isSymbolicLink()) {
            return link(raw, name, t.getLinkName());
        }
        if (t.isDirectory()) {
            return Entry.dir(name, mode);
        }
        if (t.isFile() && !t.isSparse()) {
            return file(name, mode, data, blobs, keys, spoolKey, left, batch);
        }
        throw refused(raw, "unsupported tar entry type '" + (char) t.getLinkFlag() + "'; only files, directories and symlinks");
    }

    private static Entry zipEntry(ZipArchiveEntry z, String name, InputStream data, Blobs blobs, Blobs.Keys keys, SecretKey spoolKey,
            long left, Blobs.Batch batch) throws IOException {
        String raw = z.getName();
        int unix = z.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? z.getUnixMode() : 0;
        int type = unix & S_IFMT;
        if (type != 0 && type != S_IFREG && type != S_IFDIR && type != S_IFLNK) {
            throw refused(raw, "device, FIFO and socket entries are not allowed");
        }
        if (type == S_IFLNK) {
            byte[] target = data.readNBytes(Tree.MAX_PATH_BYTES + 1);
            return link(raw, name, new String(target, StandardCharsets.UTF_8));
        }
        if (z.isDirectory() || type == S_IFDIR) {
            return Entry.dir(name, unix == 0 ? 0755 : unix & 0777);
        }
        return file(name, unix == 0 ? 0644 : unix & 0777, data, blobs, keys, spoolKey, left, batch);
    }

    private static Entry link(String raw, String name, String target) {
        String problem = Tree.targetProblem(target);
        if (problem != null) {
            throw refused(raw, problem);
        }
        return Entry.link(name, target);
    }

    /** Spools one entry (sealed under a key that lives only in memory), then stores it as a blob. */
    private static Entry file(String name, int mode, InputStream data, Blobs blobs, Blobs.Keys keys, SecretKey spoolKey, long left, Blobs.Batch batch)
            throws IOException {
        Path spool = blobs.spoolDir().resolve(Blobs.TEMP_PREFIX + Blobs.randomHex(12));
        byte[] context = Aead.context("airlock spool v1", spool.getFileName().toString());
        try {
            long size = 0;
            try (OutputStream out = SealedStreams.sealing(Files.newOutputStream(spool, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), spoolKey, context)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = readEntry(data, buf)) > 0; ) {
                    size += n;
                    if (size > left) {
                        throw new WorkspaceLimitException("too large: the archive's files are more than the workspace's byte limit"
                                + " (at entry '" + printable(name) + "')");
                    }
                    out.write(buf, 0, n);
                }
            }
            Blobs.Stored s = blobs.put(keys, Blobs.Kind.BLOB,
                    () -> SealedStreams.opening(Files.newInputStream(spool), spoolKey, context), left, batch);
            return Entry.file(name, mode, s.size(), s.id());
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static int readEntry(InputStream data, byte[] buf) throws IOException {
        try {
            return data.read(buf);
        } catch (WorkspaceLimitIo w) {
            throw w.limit;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidRequestException("archive", "the archive is malformed or truncated: " + e.getMessage());
        }
    }

    /** Writes a tree as tar.gz (POSIX/pax for long names and large sizes). */
    static void write(Tree tree, Instant time, OutputStream out, Blobs blobs, Blobs.Keys keys) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        Date mtime = Date.from(time);
        for (Entry e : tree.entries()) {
            TarArchiveEntry t;
            switch (e.type()) {
                case DIR -> {
                    t = new TarArchiveEntry(e.path() + "/", TarConstants.LF_DIR);
                    t.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | e.mode());
                }
                case LINK -> {
                    t = new TarArchiveEntry(e.path(), TarConstants.LF_SYMLINK);
                    t.setLinkName(e.target());
                    t.setMode(S_IFLNK | 0777);
                }
                default -> {
                    t = new TarArchiveEntry(e.path(), TarConstants.LF_NORMAL);
                    t.setMode(S_IFREG | e.mode());
                    t.setSize(e.size());
                }
            }
            t.setModTime(mtime);
            tar.putArchiveEntry(t);
            if (e.type() == EntryType.FILE) {
                try (InputStream in = blobs.open(keys, Blobs.Kind.BLOB, e.blob())) {
                    long n = in.transferTo(tar);
                    if (n != e.size()) {
                        throw new io.airlock.core.crypto.IntegrityException("blob " + e.blob() + " holds " + n
                                + " bytes, the manifest says " + e.size());
                    }
                }
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        gz.finish();
        out.flush();
    }

    /** Thrown through archive readers (which only pass IOExceptions) when the input cap is hit. */
    static final class WorkspaceLimitIo extends IOException {
        final WorkspaceLimitException limit;

        WorkspaceLimitIo(WorkspaceLimitException limit) {
            super(limit.getMessage());
            this.limit = limit;
        }
    }

    private static final class Capped extends FilterInputStream {
        private final long cap;
        private long count;

        Capped(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        private void add(long n) throws IOException {
            count += n;
            if (count > cap) {
                throw new WorkspaceLimitIo(new WorkspaceLimitException("too large: the archive is more than " + cap
                        + " bytes (the workspace limit for files plus room for headers)"));
            }
        }
    }
}
