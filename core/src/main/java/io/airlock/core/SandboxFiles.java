package io.airlock.core;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * File operations inside one sandbox, performed by the sandbox's agent with the named user's
 * permissions. Paths are resolved by the kernel inside the sandbox's own root, so nothing a
 * sandbox plants (symlinks, hardlinks, FIFOs, device nodes, rename races) can make these calls
 * touch anything outside it.
 *
 * <p>Every method throws {@link SandboxFileException} with a {@link SandboxFileException.Reason}
 * when the operation fails inside the sandbox, and {@link SandboxStateException} when the
 * sandbox is dead or paused. Relative paths are relative to the user's home.
 */
public interface SandboxFiles {
    /**
     * Opens a regular file for streaming. The stream applies backpressure to the agent; close it
     * to stop early. FIFOs, devices and directories are refused with NOT_REGULAR_FILE.
     */
    InputStream read(String path, String user);

    /**
     * Writes (creates or truncates) a regular file from {@code data}, creating parent
     * directories. Disk full is NO_SPACE.
     */
    EntryInfo write(String path, String user, InputStream data, Map<String, String> metadata);

    EntryInfo stat(String path, String user);

    /** Entries below {@code path}, down to {@code depth} levels (1 = direct children). */
    List<EntryInfo> list(String path, int depth, String user);

    /** Creates a directory and its parents; ALREADY_EXISTS if it exists. */
    EntryInfo makeDir(String path, String user);

    /** Renames {@code from} to {@code to}; returns the entry at its new path. */
    EntryInfo move(String from, String to, String user);

    /** Removes a file, or a directory recursively; symlinks are removed, never followed. */
    void remove(String path, String user);

    /** Watches a directory for changes. */
    FileWatch watch(String path, boolean recursive, String user);
}
