package io.airlock.core;

import java.util.concurrent.CompletableFuture;

/**
 * A process running inside a sandbox.
 *
 * <p>Output is delivered with backpressure: the agent stops reading the process's pipes when
 * readers fall behind by more than a bounded window, so a process that prints without end costs
 * a bounded amount of server memory. Several readers may be attached at once (e.g. a client that
 * reconnects by pid); each sees the output produced after it attached. While no reader is
 * attached, output is discarded so a detached background process never blocks.
 */
public interface SandboxProcess {
    /** The pid inside the sandbox's PID namespace. */
    int pid();

    ProcessSpec spec();

    /** A new reader of this process's output from now on. Close it to detach. */
    ProcessOutput attach();

    /** Sends bytes to stdin (or to the terminal with a pty). */
    void writeStdin(byte[] data);

    /** Closes stdin, so the process reads EOF. */
    void closeStdin();

    /** Sends a signal to the process's process group. */
    void signal(int signal);

    /** Resizes the pty; ignored for processes without one. */
    void resize(ProcessSpec.PtySize size);

    /** Completes when the process has exited and its output is drained. */
    CompletableFuture<ExitStatus> exit();
}
