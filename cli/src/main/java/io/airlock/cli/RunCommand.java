package io.airlock.cli;

import io.airlock.sdk.AirlockException;
import io.airlock.sdk.CommandExitException;
import io.airlock.sdk.CommandResult;
import io.airlock.sdk.RunOptions;
import io.airlock.sdk.Sandbox;
import io.airlock.sdk.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock run FILE | -c CODE}: a fresh sandbox, the code run in it with its output
 * streamed here as it comes, the files it left in {@code /home/user/out} downloaded to
 * {@code --out}, the sandbox killed. The exit code is the code's.
 */
@Command(name = "run", description = "Run a file or -c CODE in a fresh sandbox; exit with its exit code.")
final class RunCommand extends CliCommand implements Callable<Integer> {
    static final String OUT_DIR = "/home/user/out";
    private static final String WORK_DIR = "/home/user/airlock-run";

    static final class Source {
        @Parameters(index = "0", paramLabel = "FILE", description = "a .py, .js or .sh file to run")
        Path file;

        @Option(names = {"-c", "--code"}, paramLabel = "CODE", description = "code to run instead of a file")
        String code;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--lang", paramLabel = "python|js|bash", description = "the language (default: from the file's extension, else python)")
    String lang;

    @Option(names = "--template", description = "the sandbox template (default: base)")
    String template = SandboxSpec.DEFAULT_TEMPLATE;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, description = "how long the code may run (default: 5m)")
    Duration timeout = Duration.ofMinutes(5);

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "an environment variable for the code (repeatable)")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--secret", paramLabel = "NAME", description = "a secret from the vault the code gets as an environment variable,"
            + " masked as *** in its output (repeatable)")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "HOST", description = "a host or CIDR the code may reach (repeatable; nothing else is reachable)")
    List<String> allow = new ArrayList<>();

    @Option(names = "--workspace", paramLabel = "NAME[:rw]", description = "mount a workspace at /home/user/workspace "
            + "(read-only; with :rw, what the code leaves there becomes a new version)")
    String workspace;

    @Option(names = "--out", paramLabel = "DIR", description = "download what the code writes to " + OUT_DIR + " into DIR (new or empty)")
    Path out;

    @Option(names = "--max-bytes", paramLabel = "N", description = "stop downloading past N bytes (default 1 GiB)")
    long maxBytes = Downloads.DEFAULT_MAX_BYTES;

    /** Exit codes of run's own, as docker run has them, so they do not pass for the code's. */
    static final int AIRLOCK_FAILED = 125;
    static final int TIMED_OUT = 124;
    @Override
    public Integer call() throws IOException {
        Language language = language();
        byte[] program = source.file != null ? readFile(source.file) : source.code.getBytes(StandardCharsets.UTF_8);
        SandboxSpec.Builder spec = SandboxSpec.builder()
                .template(template)
                .timeout(timeout.plus(Duration.ofMinutes(1)))
                .metadata(Map.of("airlock.cli", "run"));
        spec.allowOut(allow);
        spec.secrets(secrets.toArray(String[]::new));
        if (workspace != null) {
            boolean rw = workspace.endsWith(":rw");
            spec.workspace(rw ? workspace.substring(0, workspace.length() - 3) : workspace, rw);
        }
        spec.denyOut(List.of("0.0.0.0/0")); // nothing but --allow, whatever the ceilings permit
        // Ctrl-C ends the JVM without running a try's close: the hook kills the sandbox on the way
        // out too. It is in place before the create, so an interrupted create is covered as well.
        AtomicReference<Sandbox> created = new AtomicReference<>();
        Thread onInterrupt = new Thread(() -> {
            Sandbox s = created.get();
            if (s != null) {
                s.kill();
            }
        }, "kill-sandbox-on-exit");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (Sandbox sbx = create(spec.build(), created)) {
            return runIn(sbx, language, program);
        } catch (AirlockException e) {
            throw new CliException(e.getMessage(), AIRLOCK_FAILED);
        } catch (CliException e) {
            throw e.exitCode() == 1 ? new CliException(e.getMessage(), AIRLOCK_FAILED) : e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // already shutting down: the hook kills it
            }
        }
    }

    private Sandbox create(SandboxSpec spec, AtomicReference<Sandbox> created) {
        Sandbox sbx = client().sandboxes().create(spec);
        created.set(sbx);
        return sbx;
    }

    private int runIn(Sandbox sbx, Language language, byte[] program) throws IOException {
        String main = WORK_DIR + "/main" + language.extension;
        sbx.files().makeDir(OUT_DIR);
        sbx.files().write(main, program);
        // Under --json, stdout is for the JSON answer alone: the program's output goes to stderr.
        java.io.PrintWriter programOut = json() ? err() : out();
        RunOptions options = RunOptions.builder()
                .cwd("/home/user")
                .env(env)
                .timeout(timeout)
                .onStdout(s -> {
                    programOut.print(s);
                    programOut.flush();
                })
                .onStderr(s -> {
                    err().print(s);
                    err().flush();
                })
                .build();
        int exit;
        try {
            exit = exitCode(sbx.commands().run(language.interpreter + " " + main, options));
        } catch (CommandExitException e) {
            exit = exitCode(e.result());
        } catch (io.airlock.sdk.TimeoutException e) {
            err().println("airlock: the code ran longer than " + timeout.toSeconds() + " s and was stopped");
            exit = TIMED_OUT;
        }
        if (this.out != null) {
            sbx.setTimeout(Duration.ofMinutes(10)); // the download gets its own time, whatever the code used up
            new Downloads(sbx.files(), err(), maxBytes).copyTree(OUT_DIR, this.out);
        }
        if (json()) {
            printJson(Map.of("sandboxId", sbx.sandboxId(), "exitCode", exit));
        }
        return exit;
    }

    /** The code's exit code; killed by signal N is 128 + N, as a shell reports it. */
    static int exitCode(CommandResult r) {
        if (r.exitCode() >= 0) {
            return r.exitCode();
        }
        String status = r.status() == null ? "" : r.status();
        for (Map.Entry<String, Integer> s : SIGNALS.entrySet()) {
            if (status.contains("signal: " + s.getKey())) {
                return 128 + s.getValue();
            }
        }
        return AIRLOCK_FAILED;
    }

    /** envd reports a signal death as Go prints it ("signal: killed"). */
    private static final Map<String, Integer> SIGNALS = Map.of("hangup", 1, "interrupt", 2, "quit", 3, "aborted", 6,
            "killed", 9, "segmentation fault", 11, "broken pipe", 13, "alarm clock", 14, "terminated", 15);

    private Language language() {
        if (lang != null) {
            return Language.parse(lang);
        }
        if (source.file != null) {
            Language byName = Language.ofFile(source.file.getFileName().toString());
            if (byName != null) {
                return byName;
            }
        }
        return Language.PYTHON;
    }

    private static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
