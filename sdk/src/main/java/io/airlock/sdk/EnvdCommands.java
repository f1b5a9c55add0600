package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** {@link Commands} over envd's {@code process.Process}: {@code /bin/bash -l -c <command>}, as E2B's SDKs start commands. */
final class EnvdCommands implements Commands {
    static final String SERVICE = "process.Process/";
    /** Time allowed beyond a command's own timeout for the server's deadline answer to arrive. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final DataPlane plane;

    EnvdCommands(DataPlane plane) {
        this.plane = plane;
    }

    @Override
    public CommandResult run(String command) {
        return run(command, RunOptions.defaults());
    }

    @Override
    public CommandResult run(String command, RunOptions options) {
        return start(command, options).waitFor();
    }

    @Override
    public CommandHandle start(String command, RunOptions options) {
        ObjectNode process = Json.object();
        process.put("cmd", "/bin/bash");
        process.set("args", Json.array(List.of("-l", "-c", command)));
        process.set("envs", Json.map(options.env()));
        if (!options.cwd().isEmpty()) {
            process.put("cwd", options.cwd());
        }
        ObjectNode request = Json.object();
        request.set("process", process);
        request.put("stdin", options.stdin());
        String what = "run '" + abbreviate(command) + "' in sandbox " + plane.sandboxId();
        Envelopes stream = plane.stream(SERVICE + "Start", request, options.user(), options.timeout(), options.secrets(), what);
        return EnvdCommandHandle.open(this, stream, command, options, what);
    }

    @Override
    public List<ProcessInfo> list() {
        JsonNode answer = plane.unary(SERVICE + "List", Json.object(), RunOptions.DEFAULT_USER,
                "list the processes of sandbox " + plane.sandboxId());
        List<ProcessInfo> out = new ArrayList<>();
        answer.path("processes").forEach(p -> out.add(Wire.process(p)));
        return out;
    }

    @Override
    public boolean kill(int pid) {
        ObjectNode request = selector(pid);
        request.put("signal", "SIGNAL_SIGKILL");
        try {
            plane.unary(SERVICE + "SendSignal", request, RunOptions.DEFAULT_USER, "kill process " + pid + " in sandbox " + plane.sandboxId());
            return true;
        } catch (NotFoundException e) {
            if (e.status() == 502) {
                throw e; // the sandbox is gone, not just the process
            }
            return false;
        }
    }

    @Override
    public CommandHandle connect(int pid, RunOptions options) {
        String what = "connect to process " + pid + " in sandbox " + plane.sandboxId();
        Envelopes stream = plane.stream(SERVICE + "Connect", selector(pid), options.user(), options.timeout(), what);
        return EnvdCommandHandle.open(this, stream, "process " + pid, options, what);
    }

    @Override
    public void sendStdin(int pid, String data) {
        sendStdin(pid, data.getBytes(StandardCharsets.UTF_8));
    }

    void sendStdin(int pid, byte[] data) {
        input(pid, "stdin", data);
    }

    void input(int pid, String kind, byte[] data) {
        ObjectNode request = selector(pid);
        request.putObject("input").put(kind, Base64.getEncoder().encodeToString(data));
        plane.unary(SERVICE + "SendInput", request, RunOptions.DEFAULT_USER, "send input to process " + pid + " in sandbox "
                + plane.sandboxId());
    }

    void closeStdin(int pid) {
        plane.unary(SERVICE + "CloseStdin", selector(pid), RunOptions.DEFAULT_USER, "close the stdin of process " + pid
                + " in sandbox " + plane.sandboxId());
    }

    void resize(int pid, int cols, int rows) {
        ObjectNode request = selector(pid);
        request.putObject("pty").putObject("size").put("cols", cols).put("rows", rows);
        plane.unary(SERVICE + "Update", request, RunOptions.DEFAULT_USER, "resize the terminal of process " + pid + " in sandbox "
                + plane.sandboxId());
    }

    DataPlane plane() {
        return plane;
    }

    Duration requestTimeout() {
        return plane.transport().config().requestTimeout();
    }

    /** How long to wait for a command's end: its timeout plus time for the server to say so; zero for no limit. */
    static Duration patience(Duration timeout) {
        return timeout.isZero() ? Duration.ZERO : timeout.plus(GRACE);
    }

    static ObjectNode selector(int pid) {
        ObjectNode request = Json.object();
        request.putObject("process").put("pid", pid);
        return request;
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
