package io.airlock.sdk;

import java.util.List;

/**
 * Processes in a sandbox, through envd's {@code process.Process} service. Every command runs as
 * {@code /bin/bash -l -c <command>}, as E2B's SDKs run it. Thread-safe.
 *
 * <pre>{@code
 * CommandResult r = sbx.commands().run("echo hi");            // r.stdout() == "hi\n"
 * CommandHandle server = sbx.commands().start("python3 -m http.server 8000", RunOptions.defaults());
 * sbx.commands().list();                                      // [..., ProcessInfo[pid=..., cmd=/bin/bash, ...]]
 * server.kill();
 * }</pre>
 */
public interface Commands {
    /**
     * Runs a command with default options and waits for it.
     *
     * @throws CommandExitException if it exits non-zero
     * @throws TimeoutException if it runs longer than {@link RunOptions#DEFAULT_TIMEOUT}; the server kills it
     */
    CommandResult run(String command);

    /**
     * Runs a command and waits for it, passing output to the options' callbacks as it arrives.
     *
     * @throws CommandExitException if it exits non-zero
     * @throws TimeoutException if it runs longer than {@code options.timeout()}; the server kills it
     * @throws InvalidRequestException if it cannot start (no such user or directory)
     */
    CommandResult run(String command, RunOptions options);

    /**
     * Starts a command in the background and returns once it runs.
     *
     * @throws InvalidRequestException if it cannot start (no such user or directory)
     */
    CommandHandle start(String command, RunOptions options);

    /** The processes running in the sandbox. */
    List<ProcessInfo> list();

    /** Kills a process with SIGKILL: true, or false if no such process runs. */
    boolean kill(int pid);

    /**
     * Attaches to a running process to receive its output from now on; {@code options} supplies
     * the callbacks and the timeout (after which the handle stops waiting; the process keeps running).
     *
     * @throws NotFoundException if no such process runs
     */
    CommandHandle connect(int pid, RunOptions options);

    /**
     * Sends text to a process's stdin.
     *
     * @throws InvalidRequestException if the process was started without stdin
     * @throws NotFoundException if no such process runs
     */
    void sendStdin(int pid, String data);
}
