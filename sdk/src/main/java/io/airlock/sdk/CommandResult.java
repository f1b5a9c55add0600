package io.airlock.sdk;

/**
 * How a command ended and what it printed.
 *
 * <pre>{@code
 * CommandResult r = sbx.commands().run("python3 -c 'print(1+1)'");
 * assert r.exitCode() == 0 && r.stdout().equals("2\n");
 * }</pre>
 *
 * @param exitCode the exit code; -1 when the command was killed by a signal
 * @param stdout everything it wrote to standard output, decoded as UTF-8
 * @param stderr everything it wrote to standard error, decoded as UTF-8
 * @param status how it ended, as envd reports it: {@code exit status 0}, {@code signal: killed}
 */
public record CommandResult(int exitCode, String stdout, String stderr, String status) {}
