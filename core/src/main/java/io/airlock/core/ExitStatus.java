package io.airlock.core;

/**
 * How a process ended.
 *
 * @param exitCode the exit code, or {@code 128 + signal} when killed by a signal (as shells report it)
 * @param signal the signal that killed it, or 0 if it exited
 * @param oomKilled whether the sandbox's memory limit killed it
 */
public record ExitStatus(int exitCode, int signal, boolean oomKilled) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean oomKilled) {
        return new ExitStatus(128 + signal, signal, oomKilled);
    }

    /** An error description for a non-normal end, or empty. */
    public String error() {
        if (oomKilled) {
            return "killed: out of memory (the sandbox's memory limit was reached)";
        }
        return signal != 0 ? "killed by signal " + signal : "";
    }
}
