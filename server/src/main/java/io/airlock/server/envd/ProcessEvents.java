package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessSpec;
import java.util.List;
import java.util.Map;

/**
 * The messages of {@code process.Process} streams and listings, in proto3 JSON. Each stream
 * message is a {@code StartResponse}/{@code ConnectResponse}: {@code {"event": {<kind>: ...}}}.
 *
 * <p>The end event reads as envd's does, which reports Go's {@code os.ProcessState}: a normal
 * exit is {@code exitCode} N, {@code exited: true}, {@code status: "exit status N"}; death by a
 * signal is {@code exitCode: -1}, {@code exited: false}, {@code status: "signal: killed"}; a
 * non-zero end also carries that text as {@code error}.
 */
final class ProcessEvents {
    private ProcessEvents() {}

    static ObjectNode start(int pid) {
        ObjectNode e = ProtoJson.object();
        e.putObject("start").put("pid", Integer.toUnsignedLong(pid));
        return wrap(e);
    }

    static ObjectNode data(OutputChunk chunk) {
        String field = switch (chunk.kind()) {
            case STDOUT -> "stdout";
            case STDERR -> "stderr";
            case PTY -> "pty";
            case END -> throw new IllegalArgumentException("END is not data");
        };
        ObjectNode e = ProtoJson.object();
        e.putObject("data").put(field, ProtoJson.base64(chunk.data()));
        return wrap(e);
    }

    static ObjectNode keepalive() {
        return wrap(ProtoJson.empty("keepalive"));
    }

    static ObjectNode end(ExitStatus status) {
        ObjectNode e = ProtoJson.object();
        ObjectNode end = e.putObject("end");
        String text = status(status);
        end.put("exitCode", status.signal() == 0 ? status.exitCode() : -1);
        end.put("exited", status.signal() == 0);
        end.put("status", text);
        if (status.oomKilled()) {
            end.put("error", text + " (" + status.error() + ")");
        } else if (status.signal() != 0 || status.exitCode() != 0) {
            end.put("error", text);
        }
        return wrap(e);
    }

    /** A {@code ProcessInfo} of {@code List}. */
    static ObjectNode info(int pid, ObjectNode config, String tag) {
        ObjectNode o = ProtoJson.object();
        o.set("config", config);
        o.put("pid", Integer.toUnsignedLong(pid));
        if (!tag.isEmpty()) {
            o.put("tag", tag);
        }
        return o;
    }

    /** A {@code ProcessConfig}: the program, its arguments, the caller's environment and working directory. */
    static ObjectNode config(String cmd, List<String> args, Map<String, String> envs, String cwd) {
        ObjectNode c = ProtoJson.object();
        c.put("cmd", cmd);
        args.forEach(c.putArray("args")::add);
        ObjectNode env = c.putObject("envs");
        envs.forEach(env::put);
        if (!cwd.isEmpty()) {
            c.put("cwd", cwd);
        }
        return c;
    }

    /** The config of a process started elsewhere (not by {@code Start}), from what the service knows of it. */
    static ObjectNode config(ProcessSpec spec) {
        return config(spec.args().getFirst(), spec.args().subList(1, spec.args().size()), spec.env(), spec.cwd());
    }

    /** What Go's {@code os.ProcessState.String()} prints for this end. */
    static String status(ExitStatus status) {
        return status.signal() == 0 ? "exit status " + status.exitCode() : "signal: " + signalName(status.signal());
    }

    /** Go's names of Linux signals ({@code syscall.Signal.String()}). */
    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "hangup";
            case 2 -> "interrupt";
            case 3 -> "quit";
            case 4 -> "illegal instruction";
            case 5 -> "trace/breakpoint trap";
            case 6 -> "aborted";
            case 7 -> "bus error";
            case 8 -> "floating point exception";
            case 9 -> "killed";
            case 10 -> "user defined signal 1";
            case 11 -> "segmentation fault";
            case 12 -> "user defined signal 2";
            case 13 -> "broken pipe";
            case 14 -> "alarm clock";
            case 15 -> "terminated";
            case 16 -> "stack fault";
            case 17 -> "child exited";
            case 18 -> "continued";
            case 19 -> "stopped (signal)";
            case 20 -> "stopped";
            case 21 -> "stopped (tty input)";
            case 22 -> "stopped (tty output)";
            case 23 -> "urgent I/O condition";
            case 24 -> "CPU time limit exceeded";
            case 25 -> "file size limit exceeded";
            case 26 -> "virtual timer expired";
            case 27 -> "profiling timer expired";
            case 28 -> "window changed";
            case 29 -> "I/O possible";
            case 30 -> "power failure";
            case 31 -> "bad system call";
            default -> "signal " + signal;
        };
    }

    private static ObjectNode wrap(ObjectNode event) {
        ObjectNode o = ProtoJson.object();
        o.set("event", event);
        return o;
    }
}
