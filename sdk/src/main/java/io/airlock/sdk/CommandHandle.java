package io.airlock.sdk;

import java.util.Optional;

/**
 * A command started in the background (or attached to with {@link Commands#connect}). Its output
 * is collected, and passed to the callbacks, on a reader thread of its own. Thread-safe.
 *
 * <pre>{@code
 * CommandHandle h = sbx.commands().start("cat", RunOptions.builder().stdin(true).build());
 * h.sendStdin("hello\n");
 * h.closeStdin();
 * CommandResult r = h.waitFor();      // r.stdout() == "hello\n"
 * }</pre>
 */
public interface CommandHandle {
    /** The process id inside the sandbox. */
    int pid();

    /**
     * Waits for the command to end.
     *
     * @throws CommandExitException if it exited non-zero
     * @throws TimeoutException if its timeout passed first
     * @throws SandboxException if the connection broke or {@link #disconnect()} was called
     */
    CommandResult waitFor();

    /** The result if the command has ended, whatever its exit code; empty while it runs. */
    Optional<CommandResult> result();

    /** Standard output so far. */
    String stdout();

    /** Standard error so far. */
    String stderr();

    /** Kills the command with SIGKILL: true, or false if it had already ended. */
    boolean kill();

    /**
     * Sends text (UTF-8) to the command's stdin; the command must have been started with
     * {@link RunOptions#stdin()}.
     */
    void sendStdin(String data);

    /** Sends bytes to the command's stdin. */
    void sendStdin(byte[] data);

    /** Closes the command's stdin, so it reads end-of-file. */
    void closeStdin();

    /** Stops receiving output; the command keeps running and can be reached again with {@link Commands#connect}. */
    void disconnect();
}
