package io.airlock.cli;

import io.airlock.sdk.SecretInfo;
import io.airlock.sdk.SecretUse;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock secret set|list|rm|uses}: the tenant's vault. {@code set} reads the value from
 * stdin (or asks for it, unechoed, on a terminal), so it never appears in the shell's history or
 * in {@code ps}.
 */
@Command(name = "secret", description = "Manage the tenant's secrets; values are write-only.",
        subcommands = {SecretCommand.Set.class, SecretCommand.Ls.class, SecretCommand.Rm.class, SecretCommand.Uses.class})
final class SecretCommand {
    /** Read at most this much from stdin: one byte past the server's limit, so it can say the value is too long. */
    static final int MAX_READ = 64 * 1024 + 1;

    private SecretCommand() {}

    @Command(name = "set", description = "Set a secret, reading its value from stdin (one trailing newline is dropped).")
    static final class Set extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            SecretInfo s = client().secrets().set(name, readValue(name, System.in, System.console()));
            return print(s, () -> out().println("set " + s.name()));
        }
    }

    /** The value from a terminal (not echoed), else from {@code in} without one trailing newline. */
    static String readValue(String name, InputStream in, Console console) {
        if (interactive(console)) {
            char[] typed = console.readPassword("value of %s (not echoed): ", name);
            if (typed == null || typed.length == 0) {
                throw new CliException("no value typed for " + name + "; nothing was set");
            }
            return new String(typed);
        }
        String value;
        try {
            value = new String(in.readNBytes(MAX_READ), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the value from stdin", e);
        }
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty()) {
            throw new CliException("no value on stdin for " + name + "; pipe it in, e.g. printf %s \"$TOKEN\" | airlock secret set "
                    + name + " (nothing was set)");
        }
        return value;
    }

    /**
     * Whether {@code console} is a terminal a person types at. From JDK 22 a console exists even
     * when stdin is a pipe; {@code Console.isTerminal()} (JDK 22+) tells, looked up reflectively
     * because the CLI is compiled for Java 17, where a console exists only on a terminal.
     */
    private static boolean interactive(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Command(name = "list", aliases = "ls", description = "List the secrets (names and times, never values).")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            List<SecretInfo> all = client().secrets().list();
            return print(all, () -> {
                out().printf("%-32s %-24s %s%n", "NAME", "UPDATED", "CREATED");
                all.forEach(s -> out().printf("%-32s %-24s %s%n", s.name(), s.updatedAt(), s.createdAt()));
            });
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Delete a secret (its audit trail stays).")
    static final class Rm extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            client().secrets().delete(name);
            out().println("deleted " + name);
            return 0;
        }
    }

    @Command(name = "uses", description = "Show which sandboxes got a secret, when, and who asked (newest first).")
    static final class Uses extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--limit", paramLabel = "N", description = "at most N uses (1..1000, default 100)")
        int limit = 100;

        @Override
        public Integer call() {
            List<SecretUse> uses = client().secrets().uses(name, limit);
            return print(uses, () -> {
                out().printf("%-24s %-28s %-8s %s%n", "AT", "SANDBOX", "SCOPE", "ACTOR");
                uses.forEach(u -> out().printf("%-24s %-28s %-8s %s%n", u.at(), u.sandboxId(), u.scope(), u.actor()));
            });
        }
    }
}
