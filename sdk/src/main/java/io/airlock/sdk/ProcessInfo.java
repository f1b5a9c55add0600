package io.airlock.sdk;

import java.util.List;
import java.util.Map;

/**
 * A process running in a sandbox, as {@link Commands#list()} reports it.
 *
 * <pre>{@code
 * for (ProcessInfo p : sbx.commands().list()) {
 *     System.out.println(p.pid() + " " + p.cmd() + " " + p.args());
 * }
 * }</pre>
 *
 * @param pid its process id inside the sandbox
 * @param tag the tag it was started with; empty when none
 * @param cmd the program ({@code /bin/bash} for commands)
 * @param args its arguments ({@code -l -c <command>} for commands)
 * @param envs the environment it was started with, beyond the sandbox's
 * @param cwd its working directory; empty when it was not set
 */
public record ProcessInfo(int pid, String tag, String cmd, List<String> args, Map<String, String> envs, String cwd) {
    public ProcessInfo {
        args = List.copyOf(args);
        envs = Map.copyOf(envs);
    }
}
