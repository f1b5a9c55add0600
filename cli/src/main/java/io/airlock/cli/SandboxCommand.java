package io.airlock.cli;

import io.airlock.sdk.CommandExitException;
import io.airlock.sdk.CommandResult;
import io.airlock.sdk.ListOptions;
import io.airlock.sdk.Page;
import io.airlock.sdk.RunOptions;
import io.airlock.sdk.Sandbox;
import io.airlock.sdk.SandboxInfo;
import io.airlock.sdk.SandboxSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code airlock sandbox ls|create|info|kill|exec|shell}. */
@Command(name = "sandbox", description = "Manage sandboxes.",
        subcommands = {SandboxCommand.Ls.class, SandboxCommand.Create.class, SandboxCommand.Info.class, SandboxCommand.Kill.class,
            SandboxCommand.Exec.class, ShellCommand.class})
final class SandboxCommand {
    private SandboxCommand() {}

    @Command(name = "ls", description = "List running and paused sandboxes.")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Option(names = "--metadata", paramLabel = "K=V", description = "only sandboxes with this metadata (repeatable)")
        Map<String, String> metadata = new LinkedHashMap<>();

        @Override
        public Integer call() {
            List<SandboxInfo> all = new ArrayList<>();
            ListOptions options = ListOptions.builder().metadata(metadata).limit(100).build();
            while (true) {
                Page<SandboxInfo> page = client().sandboxes().list(options);
                all.addAll(page.items());
                if (page.nextToken().isEmpty()) {
                    break;
                }
                options = options.withNextToken(page.nextToken().get());
            }
            return print(all, () -> {
                out().printf("%-28s %-18s %-8s %s%n", "ID", "TEMPLATE", "STATE", "ENDS");
                all.forEach(s -> out().printf("%-28s %-18s %-8s %s%n", s.sandboxId(), s.templateId(),
                        s.state().name().toLowerCase(java.util.Locale.ROOT), s.endAt()));
            });
        }
    }

    @Command(name = "create", description = "Create a sandbox and print its id.")
    static final class Create extends CliCommand implements Callable<Integer> {
        @Option(names = "--template", description = "template (default: base)")
        String template = SandboxSpec.DEFAULT_TEMPLATE;

        @Option(names = "--timeout", converter = Durations.class, paramLabel = "DURATION", description = "time to live (default: 5m)")
        Duration timeout = SandboxSpec.DEFAULT_TIMEOUT;

        @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "environment variable (repeatable)")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(names = "--metadata", paramLabel = "K=V", description = "metadata (repeatable)")
        Map<String, String> metadata = new LinkedHashMap<>();

        @Option(names = "--allow", paramLabel = "HOST", description = "allow outbound traffic to HOST only (repeatable)")
        List<String> allow = new ArrayList<>();

        @Override
        public Integer call() {
            SandboxSpec.Builder spec = SandboxSpec.builder().template(template).timeout(timeout).env(env).metadata(metadata);
            if (!allow.isEmpty()) {
                spec.allowOut(allow).denyOut(List.of("0.0.0.0/0"));
            }
            Sandbox sbx = client().sandboxes().create(spec.build());
            if (json()) {
                printJson(sbx.info());
            } else {
                out().println(sbx.sandboxId());
            }
            return 0; // not closed: it lives until its timeout or `airlock sandbox kill`
        }
    }

    @Command(name = "info", description = "Show a sandbox.")
    static final class Info extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            SandboxInfo s = client().sandboxes().info(id);
            if (json()) {
                printJson(s);
            } else {
                out().printf("id        %s%ntemplate  %s%nstate     %s%nstarted   %s%nends      %s%ncpus      %d%nmemory    %d MiB%n"
                                + "disk      %d MiB%nmetadata  %s%nallowOut  %s%ndenyOut   %s%n",
                        s.sandboxId(), s.templateId(), s.state().name().toLowerCase(java.util.Locale.ROOT), s.startedAt(), s.endAt(),
                        s.cpuCount(), s.memoryMB(), s.diskSizeMB(), s.metadata(), s.allowOut(), s.denyOut());
            }
            return 0;
        }
    }

    @Command(name = "kill", description = "Kill sandboxes.")
    static final class Kill extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Override
        public Integer call() {
            int missing = 0;
            for (String id : ids) {
                if (!client().sandboxes().kill(id)) {
                    err().println("airlock: no sandbox " + id);
                    missing++;
                }
            }
            return missing == 0 ? 0 : 1;
        }
    }

    @Command(name = "exec", description = "Run a shell command in a sandbox; exit with its exit code.")
    static final class Exec extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "run as bash -l -c, words joined by spaces")
        List<String> command;

        @Option(names = "--user", description = "user (default: user)")
        String user = RunOptions.DEFAULT_USER;

        @Option(names = "--cwd", description = "working directory")
        String cwd;

        @Option(names = "--timeout", converter = Durations.class, paramLabel = "DURATION", description = "default: 60s")
        Duration timeout = RunOptions.DEFAULT_TIMEOUT;

        @Override
        public Integer call() {
            Sandbox sbx = client().sandboxes().connect(id);
            RunOptions.Builder options = RunOptions.builder().user(user).timeout(timeout)
                    .onStdout(s -> {
                        out().print(s);
                        out().flush();
                    })
                    .onStderr(s -> {
                        err().print(s);
                        err().flush();
                    });
            if (cwd != null) {
                options.cwd(cwd);
            }
            CommandResult r;
            try {
                r = sbx.commands().run(String.join(" ", command), options.build());
            } catch (CommandExitException e) {
                r = e.result();
            }
            return r.exitCode();
        }
    }
}
