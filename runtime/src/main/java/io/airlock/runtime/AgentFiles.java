package io.airlock.runtime;

import io.airlock.core.EntryInfo;
import io.airlock.core.FileWatch;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * {@link SandboxFiles} over an {@link AgentConnection}: every operation is performed by the agent
 * inside the sandbox, with the user's file-system identity. Paths are checked here only for
 * sanity (non-empty, no NUL); confinement is the kernel's job inside the sandbox.
 */
final class AgentFiles implements SandboxFiles {
    /** The most entries one {@link #list} returns. */
    static final int MAX_LIST_ENTRIES = 100_000;

    private final AgentConnection conn;

    AgentFiles(AgentConnection conn) {
        this.conn = conn;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the agent has opened the file, so a missing or non-regular file fails here.
     * Later failures surface from the stream as {@link IOException}s with the API exception as
     * cause. Closing early drops the rest of the file without blocking.
     */
    @Override
    public InputStream read(String path, String user) {
        AgentEncoder request = new AgentEncoder().str(user(user)).str(path(path));
        int chan = conn.newChannel();
        AgentReadStream stream = conn.register(chan, new AgentReadStream(conn, chan, path));
        conn.send(request.frame(AgentFrame.FS_READ, chan));
        try {
            stream.awaitOpened();
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        return stream;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Data goes in frames of at most 64 KiB, within the agent's write credit. If reading
     * {@code data} fails, the partial file is removed and an {@link UncheckedIOException} thrown.
     */
    @Override
    public EntryInfo write(String path, String user, InputStream data, Map<String, String> metadata) {
        AgentEncoder request = new AgentEncoder().str(user(user)).str(path(path)).pairs(metadata);
        if (request.size() > AgentFrames.MAX_PAYLOAD) {
            throw new InvalidRequestException("metadata", "path and metadata take " + request.size() + " bytes encoded; at most "
                    + AgentFrames.MAX_PAYLOAD + " fit in one FS_WRITE");
        }
        int chan = conn.newChannel();
        AgentUpload upload = conn.register(chan, new AgentUpload(conn, path));
        try {
            conn.send(request.frame(AgentFrame.FS_WRITE, chan));
            byte[] buf = new byte[AgentFrames.MAX_DATA];
            long sent = 0;
            while (true) {
                int n;
                try {
                    n = data.readNBytes(buf, 0, buf.length);
                } catch (IOException e) {
                    abandonUpload(chan, upload, path, user);
                    throw new UncheckedIOException("reading the data for " + path + " failed after " + sent
                            + " bytes; the partial file was removed", e);
                }
                if (n == 0) {
                    break;
                }
                upload.acquire(n);
                conn.send(new AgentEncoder().bytes(buf, 0, n).frame(AgentFrame.FS_WDATA, chan));
                sent += n;
            }
            conn.send(AgentFrame.of(AgentFrame.FS_WEND, chan));
            return conn.await(upload.result(), "FS_ENTRY for the write of " + path);
        } finally {
            conn.forget(chan);
        }
    }

    @Override
    public EntryInfo stat(String path, String user) {
        return entry(path, AgentFrame.FS_STAT, new AgentEncoder().str(user(user)).str(path(path)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The listing is collected in memory, so it is capped at {@link #MAX_LIST_ENTRIES}
     * entries; a larger one fails with IO_ERROR.
     */
    @Override
    public List<EntryInfo> list(String path, int depth, String user) {
        if (depth < 1) {
            throw new InvalidRequestException("depth", "must be at least 1 (the directory's own entries), got " + depth);
        }
        AgentEncoder request = new AgentEncoder().str(user(user)).str(path(path)).u32(depth);
        String tooMany = "more than " + MAX_LIST_ENTRIES + " entries" + (depth > 1 ? " within " + depth + " levels; list fewer" : "");
        List<AgentFrame> frames = conn.call(request, AgentFrame.FS_LIST, t -> t == AgentFrame.FS_END, MAX_LIST_ENTRIES + 1,
                () -> new SandboxFileException(SandboxFileException.Reason.IO_ERROR, path, tooMany), "FS_LIST answer for " + path);
        failOnError(path, frames.getLast());
        return frames.subList(0, frames.size() - 1).stream()
                .map(f -> f.decoder().entry())
                .toList();
    }

    @Override
    public EntryInfo makeDir(String path, String user) {
        return entry(path, AgentFrame.FS_MKDIR, new AgentEncoder().str(user(user)).str(path(path)));
    }

    @Override
    public EntryInfo move(String from, String to, String user) {
        return entry(from, AgentFrame.FS_MOVE, new AgentEncoder().str(user(user)).str(path(from)).str(path(to)));
    }

    @Override
    public void remove(String path, String user) {
        call(path, AgentFrame.FS_REMOVE, t -> t == AgentFrame.FS_END, new AgentEncoder().str(user(user)).str(path(path)));
    }

    /** {@inheritDoc} Returns once the agent has armed the watch. */
    @Override
    public FileWatch watch(String path, boolean recursive, String user) {
        AgentEncoder request = new AgentEncoder().str(user(user)).str(path(path)).u8(recursive ? 1 : 0);
        int chan = conn.newChannel();
        AgentWatch watch = conn.register(chan, new AgentWatch(conn, chan, path));
        conn.send(request.frame(AgentFrame.FS_WATCH, chan));
        try {
            conn.await(watch.armed(), "FS_END arming the watch of " + path);
        } catch (RuntimeFailureException e) {
            // the agent may still arm it: unwatch, and let the channel end with the final FS_END
            watch.close();
            throw e;
        }
        return watch;
    }

    private EntryInfo entry(String path, int type, AgentEncoder request) {
        return call(path, type, t -> t == AgentFrame.FS_ENTRY, request).getLast().decoder().entry();
    }

    /** A unary request; an ERROR answer becomes the mapped {@link SandboxFileException}. */
    private List<AgentFrame> call(String path, int type, IntPredicate terminal, AgentEncoder request) {
        List<AgentFrame> frames = conn.call(request, type, terminal, AgentFrame.name(type) + " answer for " + path);
        failOnError(path, frames.getLast());
        return frames;
    }

    private static void failOnError(String path, AgentFrame last) {
        if (last.type() == AgentFrame.ERROR) {
            throw AgentErrors.fileException(path, last.decoder().error());
        }
    }

    /** Ends an upload whose source failed and removes what was written, best effort. */
    private void abandonUpload(int chan, AgentUpload upload, String path, String user) {
        try {
            conn.send(AgentFrame.of(AgentFrame.FS_WEND, chan));
            conn.await(upload.result(), "FS_ENTRY for the write of " + path);
            remove(path, user);
        } catch (RuntimeException e) {
            // the upload already failed; the caller learns about the source's failure
        }
    }

    private static String path(String path) {
        if (path.isEmpty()) {
            throw new SandboxFileException(SandboxFileException.Reason.INVALID_PATH, path, "the path is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new SandboxFileException(SandboxFileException.Reason.INVALID_PATH, path, "the path contains a NUL byte");
        }
        return path;
    }

    private static String user(String user) {
        if (user.indexOf('\0') >= 0) {
            throw new InvalidRequestException("user", "must not contain a NUL byte");
        }
        return user;
    }
}
