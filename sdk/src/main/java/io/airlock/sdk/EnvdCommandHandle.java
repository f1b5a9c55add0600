package io.airlock.sdk;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A {@link CommandHandle} over one process stream. */
final class EnvdCommandHandle implements CommandHandle {
    private final EnvdCommands commands;
    private final String command;
    private final RunOptions options;
    private final Utf8Chunks stdout = new Utf8Chunks();
    private final Utf8Chunks stderr = new Utf8Chunks();
    private ProcessReader reader;
    private int pid;

    private EnvdCommandHandle(EnvdCommands commands, String command, RunOptions options) {
        this.commands = commands;
        this.command = command;
        this.options = options;
    }

    /** Starts reading the stream and returns once the process's pid is known. */
    static EnvdCommandHandle open(EnvdCommands commands, Envelopes stream, String command, RunOptions options, String what) {
        EnvdCommandHandle h = new EnvdCommandHandle(commands, command, options);
        h.reader = ProcessReader.start(stream, what, h::data);
        try {
            h.pid = h.reader.awaitPid(commands.requestTimeout());
        } catch (RuntimeException e) {
            h.reader.cancel();
            throw e;
        }
        return h;
    }

    private void data(String kind, byte[] bytes) {
        if (kind.equals("stdout")) {
            options.onStdout().accept(stdout.decode(bytes));
        } else if (kind.equals("stderr")) {
            options.onStderr().accept(stderr.decode(bytes));
        }
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public CommandResult waitFor() {
        ProcessReader.End end;
        try {
            end = reader.awaitEnd(EnvdCommands.patience(options.timeout()), true);
        } catch (TimeoutException e) {
            if (e.timeout().isZero()) { // the server ended it at the command's own deadline
                throw new TimeoutException(e.getMessage(), options.timeout(), e);
            }
            throw e;
        }
        CommandResult result = result(end);
        if (result.exitCode() != 0) {
            throw new CommandExitException(command, result);
        }
        return result;
    }

    private CommandResult result(ProcessReader.End end) {
        return new CommandResult(end.exitCode, stdout.text(), stderr.text(), end.status);
    }

    @Override
    public Optional<CommandResult> result() {
        return reader.endNow().map(this::result);
    }

    @Override
    public String stdout() {
        return stdout.text();
    }

    @Override
    public String stderr() {
        return stderr.text();
    }

    @Override
    public boolean kill() {
        return commands.kill(pid);
    }

    @Override
    public void sendStdin(String data) {
        sendStdin(data.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void sendStdin(byte[] data) {
        commands.sendStdin(pid, data);
    }

    @Override
    public void closeStdin() {
        commands.closeStdin(pid);
    }

    @Override
    public void disconnect() {
        reader.cancel();
    }

    @Override
    public String toString() {
        return "CommandHandle[pid=" + pid + ", " + EnvdCommands.abbreviate(command) + "]";
    }
}
