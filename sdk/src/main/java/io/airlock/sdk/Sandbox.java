package io.airlock.sdk;

import java.time.Duration;
import java.util.List;

/**
 * A running (or paused) sandbox: commands, files and terminals through its envd data plane, code
 * through its code interpreter, and its lifecycle through the control plane. Thread-safe.
 * {@link #close()} kills it: use try-with-resources, or {@link Sandboxes#connect} again from
 * elsewhere before the first handle is closed if the sandbox must outlive it.
 *
 * <pre>{@code
 * try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().template("code-interpreter").build())) {
 *     sbx.files().write("/home/user/data.csv", "a,b\n1,2\n");
 *     Execution ex = sbx.runCode("import pandas as pd; pd.read_csv('data.csv').a.sum()");
 *     System.out.println(ex.text().orElse(""));   // 1
 * }
 * }</pre>
 */
public interface Sandbox extends AutoCloseable {
    /** The sandbox's id. */
    String sandboxId();

    /** Run, start, list and signal processes. */
    Commands commands();

    /** Read, write, list and watch files. */
    SandboxFiles files();

    /** Interactive terminals. */
    Ptys pty();

    /**
     * Runs Python code in the default python context and waits for it to finish.
     *
     * @throws TimeoutException if it runs longer than {@link RunCodeOptions#DEFAULT_TIMEOUT}; it is interrupted
     */
    Execution runCode(String code);

    /**
     * Runs code as {@code options} say and waits for it to finish. An error the code raises is
     * reported in {@link Execution#error()}, not thrown.
     *
     * @throws TimeoutException if it runs longer than {@code options.timeout()}; it is interrupted and the context kept
     * @throws NotFoundException if the context does not exist
     * @throws ConflictException if the sandbox is paused
     */
    Execution runCode(String code, RunCodeOptions options);

    /**
     * Starts a new context (a kernel of its own).
     *
     * @param language {@code python}, {@code javascript} or {@code bash}
     * @param cwd an existing absolute directory
     * @throws InvalidRequestException for an unknown language or a missing directory
     */
    CodeContext createCodeContext(String language, String cwd);

    /** The sandbox's contexts, including the default ones once used. */
    List<CodeContext> listCodeContexts();

    /** Restarts a context's kernel: its state is lost, its id stays. */
    void restartCodeContext(CodeContext context);

    /** Removes a context and stops its kernel. */
    void removeCodeContext(CodeContext context);

    /** What the server knows about this sandbox. */
    SandboxInfo info();

    /** Sets the time to live to {@code timeout} from now (it can shorten it). */
    void setTimeout(Duration timeout);

    /** Pauses the sandbox (freezes its processes, keeps memory and files): true, or false if it was already paused. */
    boolean pause();

    /** Resumes a paused sandbox (E2B's connect), with the timeout it was created or connected with. */
    void resume();

    /** Kills the sandbox: true, or false if it was already gone. */
    boolean kill();

    /** Whether the sandbox runs: false once it is killed, timed out or paused. */
    boolean isRunning();

    /**
     * Replaces the sandbox's outbound rules; allow wins over deny.
     *
     * @throws InvalidRequestException for a rule the server does not accept
     */
    void updateNetwork(List<String> allowOut, List<String> denyOut);

    /** Kills the sandbox; a sandbox that is already gone is not an error. */
    @Override
    void close();
}
