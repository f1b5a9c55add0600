package io.airlock.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@link Ptys}: {@code Process.Start} of {@code /bin/bash -i -l} with a {@code pty}, as E2B's SDKs start terminals. */
final class EnvdPtys implements Ptys {
    private final DataPlane plane;
    private final EnvdCommands commands;

    EnvdPtys(DataPlane plane) {
        this.plane = plane;
        this.commands = new EnvdCommands(plane);
    }

    @Override
    public Pty create(int cols, int rows, Consumer<byte[]> onData) {
        requireSize(cols, rows);
        ObjectNode process = Json.object();
        process.put("cmd", "/bin/bash");
        process.set("args", Json.array(List.of("-i", "-l")));
        process.set("envs", Json.map(Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8")));
        ObjectNode request = Json.object();
        request.set("process", process);
        request.putObject("pty").putObject("size").put("cols", cols).put("rows", rows);
        String what = "start a terminal in sandbox " + plane.sandboxId();
        Envelopes stream = plane.stream(EnvdCommands.SERVICE + "Start", request, RunOptions.DEFAULT_USER, Duration.ZERO, what);
        ProcessReader reader = ProcessReader.start(stream, what, (kind, bytes) -> {
            if (kind.equals("pty")) {
                onData.accept(bytes);
            }
        });
        try {
            return new EnvdPty(commands, reader, reader.awaitPid(commands.requestTimeout()));
        } catch (RuntimeException e) {
            reader.cancel();
            throw e;
        }
    }

    static void requireSize(int cols, int rows) {
        if (cols < 1 || rows < 1 || cols > 65535 || rows > 65535) {
            throw new IllegalArgumentException("cols and rows must be in 1..65535, got " + cols + "x" + rows);
        }
    }
}
