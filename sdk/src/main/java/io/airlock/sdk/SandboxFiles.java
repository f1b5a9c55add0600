package io.airlock.sdk;

import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sandbox's filesystem, through envd's {@code /files} and {@code filesystem.Filesystem}
 * service. Paths are absolute, or relative to the user's home. Operations run as user
 * {@code user}, as in E2B. Thread-safe.
 *
 * <pre>{@code
 * SandboxFiles files = sbx.files();
 * files.write("/home/user/notes/a.txt", "hello");
 * String text = files.readString("/home/user/notes/a.txt");
 * files.list("/home/user/notes").forEach(e -> System.out.println(e.name() + " " + e.size()));
 * }</pre>
 */
public interface SandboxFiles {
    /** Writes text (UTF-8), creating the file and its parent directories, replacing what was there. */
    void write(String path, String text);

    /** Writes bytes, creating the file and its parent directories. */
    void write(String path, byte[] data);

    /** Writes what {@code data} yields until its end; the stream is read on an HTTP thread and closed. */
    void write(String path, InputStream data);

    /**
     * The file's content.
     *
     * @throws NotFoundException if there is no such file
     */
    byte[] readBytes(String path);

    /** The file's content decoded as UTF-8. */
    String readString(String path);

    /** The file's content as a stream; close it when done (before the end, to stop the download). */
    InputStream readStream(String path);

    /** The entries of a directory (not recursive). */
    List<EntryInfo> list(String path);

    /**
     * An entry's information.
     *
     * @throws NotFoundException if there is no such entry
     */
    EntryInfo stat(String path);

    /** Whether an entry exists. */
    boolean exists(String path);

    /** Creates a directory and its parents: true, or false if it already existed. */
    boolean makeDir(String path);

    /** Moves or renames an entry; returns the moved entry. */
    EntryInfo move(String from, String to);

    /** Removes a file or a directory with its contents. */
    void remove(String path);

    /**
     * Watches a directory (not recursively) and passes each change to {@code onEvent}, on a reader
     * thread, until the handle is closed. Returns once the watch is in place: changes after the
     * call are seen.
     *
     * @throws NotFoundException if there is no such directory
     */
    WatchHandle watch(String path, Consumer<FileEvent> onEvent);
}
