package io.airlock.cli;

import io.airlock.sdk.AirlockException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code airlock}: the root command, its global options and the error policy. Errors are one
 * line on stderr and a non-zero exit ({@code 1}; {@code 2} for usage), with the stack trace only
 * under {@code --debug}. {@code airlock run} exits with the exit code of the code it ran.
 */
@Command(name = "airlock", mixinStandardHelpOptions = true, version = "airlock 0.1.0",
        description = "Run code in sandboxes on an Airlock server.",
        subcommands = {RunCommand.class, SandboxCommand.class, FilesCommand.class, TemplateCommand.class, TenantsCommand.class,
            KeysCommand.class, EgressCommand.class, SecretCommand.class, WorkspaceCommand.class, AutoComplete.GenerateCompletion.class})
public final class Main {
    @Option(names = "--url", scope = ScopeType.INHERIT, description = "server URL (AIRLOCK_URL, ~/.airlock/config, else http://127.0.0.1:8700)")
    String url;

    @Option(names = "--api-key", scope = ScopeType.INHERIT, description = "API key (AIRLOCK_API_KEY, ~/.airlock/config, else the local admin key)")
    String apiKey;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print JSON instead of text")
    boolean json;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "show stack traces on errors")
    boolean debug;

    private CliConfig config;

    CliConfig config() {
        if (config == null) {
            config = CliConfig.resolve(url, apiKey, System.getenv(), Path.of(System.getProperty("user.home")));
        }
        return config;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (main.debug) {
                e.printStackTrace(err);
            }
            err.println("airlock: " + (refused(e) ? "cannot reach the server at " + main.config().url()
                    + " (is it running? ./airlock up; or set AIRLOCK_URL)" : message(e)));
            err.flush();
            return e instanceof CliException c ? c.exitCode() : 1;
        });
        return cl.execute(args);
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String message(Exception e) {
        if (e instanceof AirlockException || e instanceof CliException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static Map<String, String> env() {
        return System.getenv();
    }
}
