package io.airlock.sdk;

/**
 * A command run with {@link Commands#run} or waited for with {@link CommandHandle#waitFor()} ended
 * with a non-zero exit code (or was killed by a signal). Carries the whole {@link CommandResult},
 * as E2B's {@code CommandExitError} does.
 *
 * <pre>{@code
 * try {
 *     sbx.commands().run("ls /nope");
 * } catch (CommandExitException e) {
 *     int code = e.result().exitCode();     // 2
 *     String why = e.result().stderr();     // "ls: cannot access '/nope': ..."
 * }
 * }</pre>
 */
public class CommandExitException extends AirlockException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult result;

    public CommandExitException(String command, CommandResult result) {
        super("command '" + abbreviate(command) + "' exited with code " + result.exitCode()
                + (result.stderr().isBlank() ? "" : "; stderr: " + abbreviate(result.stderr().strip())), 0);
        this.result = result;
    }

    /** What the command printed and how it ended. */
    public CommandResult result() {
        return result;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
