package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.Tier;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line of an OCI runtime: runc, or runsc (gVisor), which takes the same subcommands.
 * Commands are argument lists, never shell strings, and run with an empty environment except
 * {@code PATH}, so nothing of the server's environment reaches a runtime or a sandbox.
 *
 * <p>runsc always gets {@code --platform=ptrace} (KVM hangs on this host kind),
 * {@code --network=none} (gVisor's netstack has only loopback; the spec's new network namespace
 * is kept, so even the sandbox process has no host interface), {@code --overlay2=none} (writes must
 * go through the gofer to our quota-limited overlay, not into sentry memory) and
 * {@code --oci-seccomp} (apply the spec's seccomp profile inside the sandbox too). This runsc spells
 * detach {@code --detach}, not {@code -d}.
 */
final class RuncCli {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL = 2000;

    private final Tier tier;
    private final Path binary;
    private final Path root;
    private final boolean debugLog;

    /**
     * @param tier which runtime this is
     * @param binary its executable
     * @param root its state directory ({@code --root})
     * @param debugLog whether runsc writes debug logs next to each sandbox's runtime log
     */
    RuncCli(Tier tier, Path binary, Path root, boolean debugLog) {
        this.tier = tier;
        this.binary = binary;
        this.root = root;
        this.debugLog = debugLog;
    }

    Tier tier() {
        return tier;
    }

    Path root() {
        return root;
    }

    /** The runtime and its global flags. */
    private List<String> global() {
        return global(false);
    }

    private List<String> global(boolean egress) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--root", root.toString()));
        if (tier == Tier.RUNSC) {
            cmd.addAll(List.of("--platform=ptrace", egress ? "--network=host" : "--network=none", "--overlay2=none", "--oci-seccomp"));
        }
        return cmd;
    }

    /** The runtime, its global flags and a log file (plus runsc's debug logs beside it, if enabled). */
    private List<String> global(Path log, boolean egress) {
        List<String> cmd = global(egress);
        cmd.addAll(List.of("--log", log.toString()));
        if (debugLog && tier == Tier.RUNSC) {
            cmd.addAll(List.of("--debug", "--debug-log", log.resolveSibling("runsc-debug") + "/"));
        }
        return cmd;
    }

    /**
     * The {@code run} command line for a sandbox, detached. With {@code egress}, runsc uses the
     * host kernel's network stack ({@code --network=host}) inside the sandbox's own, otherwise
     * empty, network namespace, so that the same nftables plumbing as for runc applies to it;
     * without, gVisor's netstack with loopback only.
     */
    List<String> runCommand(ContainerLayout layout, boolean egress) {
        List<String> cmd = global(layout.runtimeLog(), egress);
        cmd.addAll(List.of(
                "run", tier == Tier.RUNC ? "-d" : "--detach",
                "--pid-file", layout.pidFile().toString(),
                "--bundle", layout.bundle().toString(),
                layout.id()));
        return cmd;
    }

    /**
     * Starts the sandbox's container, its init's stdin and stdout the FIFOs and its stderr the agent
     * log, and waits for the runtime to exit (it does once the init runs).
     *
     * @throws RuntimeFailureException with the exit code and the tails of both logs if it fails
     */
    void run(ContainerLayout layout, boolean egress) {
        ProcessBuilder pb = new ProcessBuilder(runCommand(layout, egress))
                .redirectInput(layout.toAgent().toFile())
                .redirectOutput(layout.fromAgent().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(layout.agentLog().toFile()));
        int exit = execute(pb, "run " + layout.id());
        if (exit != 0) {
            throw new RuntimeFailureException(tier.binary() + " run of sandbox " + layout.id() + " exited with " + exit
                    + "; " + layout.runtimeLog().getFileName() + ": " + tail(layout.runtimeLog())
                    + "; " + layout.agentLog().getFileName() + ": " + tail(layout.agentLog()));
        }
    }

    /**
     * {@code delete --force}: kills the container if needed and removes its runtime state and
     * cgroups. A container the runtime does not know counts as deleted.
     *
     * @throws RuntimeFailureException with the exit code and output if it fails
     */
    void delete(String id) {
        List<String> cmd = global();
        cmd.addAll(List.of("delete", "--force", id));
        Output out = capture(cmd);
        if (out.exit() != 0 && !out.text().contains("does not exist") && !out.text().contains("not exist")) {
            throw new RuntimeFailureException(String.join(" ", cmd) + " exited with " + out.exit() + ": " + out.text().strip());
        }
    }

    /** Ids of the containers in this runtime's state directory. */
    List<String> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> cmd = global();
        cmd.addAll(List.of("list", "--quiet"));
        Output out = capture(cmd);
        if (out.exit() != 0) {
            throw new RuntimeFailureException(String.join(" ", cmd) + " exited with " + out.exit() + ": " + out.text().strip());
        }
        return out.text().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private record Output(int exit, String text) {}

    private Output capture(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        clean(pb);
        try {
            Process p = pb.start();
            byte[] bytes = p.getInputStream().readAllBytes();
            int exit = waitFor(p, String.join(" ", cmd));
            return new Output(exit, new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot run " + String.join(" ", cmd) + ": " + e, e);
        }
    }

    private int execute(ProcessBuilder pb, String what) {
        clean(pb);
        try {
            return waitFor(pb.start(), tier.binary() + " " + what);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot run " + String.join(" ", pb.command()) + ": " + e, e);
        }
    }

    private static int waitFor(Process p, String what) {
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailureException(what + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s; killed it");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while waiting for " + what, e);
        }
    }

    private static void clean(ProcessBuilder pb) {
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    /** The last part of a log file, for error messages; empty if it is missing. */
    static String tail(Path log) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = Math.max(0, bytes.length - LOG_TAIL);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }
}
