package io.airlock.core;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A process to start in a sandbox.
 *
 * @param args argv; {@code args.get(0)} is looked up on PATH inside the sandbox
 * @param env environment added to the sandbox's
 * @param cwd working directory; empty for the user's home
 * @param user user name inside the sandbox ({@code user}, {@code root}, …)
 * @param stdin keep stdin open for {@link SandboxProcess#writeStdin}; otherwise it is /dev/null
 * @param pty run on a pseudo-terminal of this size, or {@code null} for pipes
 * @param tag optional label the caller can find the process by; empty for none
 */
public record ProcessSpec(
        List<String> args, Map<String, String> env, String cwd, String user, boolean stdin, @Nullable PtySize pty, String tag) {
    public ProcessSpec {
        if (args.isEmpty()) {
            throw new InvalidRequestException("args", "a process needs at least a program name");
        }
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /** A command run by {@code /bin/bash -l -c}, as the E2B SDK does, with stdin closed. */
    public static ProcessSpec shell(String command, String user) {
        return new ProcessSpec(List.of("/bin/bash", "-l", "-c", command), Map.of(), "", user, false, null, "");
    }

    /** Terminal size in character cells. */
    public record PtySize(int cols, int rows) {
        public PtySize {
            if (cols < 1 || rows < 1 || cols > 65535 || rows > 65535) {
                throw new InvalidRequestException("pty.size", "cols and rows must be in 1..65535, got " + cols + "x" + rows);
            }
        }
    }
}
