package io.airlock.sdk;

import java.time.Duration;
import java.util.Optional;

/** A {@link Pty}: its process stream's reader, and envd's unary calls for input, resize and signals. */
final class EnvdPty implements Pty {
    private final EnvdCommands commands;
    private final ProcessReader reader;
    private final int pid;

    EnvdPty(EnvdCommands commands, ProcessReader reader, int pid) {
        this.commands = commands;
        this.reader = reader;
        this.pid = pid;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public void sendInput(byte[] data) {
        commands.input(pid, "pty", data);
    }

    @Override
    public void resize(int cols, int rows) {
        EnvdPtys.requireSize(cols, rows);
        commands.resize(pid, cols, rows);
    }

    @Override
    public boolean kill() {
        return commands.kill(pid);
    }

    @Override
    public int waitFor(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return reader.awaitEnd(timeout, false).exitCode;
    }

    @Override
    public Optional<Integer> exitCode() {
        return reader.endNow().map(e -> e.exitCode);
    }

    @Override
    public void close() {
        if (exitCode().isEmpty()) {
            try {
                kill();
            } catch (NotFoundException e) {
                // the sandbox is already gone, and the shell with it
            }
        }
        reader.cancel();
    }

    @Override
    public String toString() {
        return "Pty[pid=" + pid + "]";
    }
}
