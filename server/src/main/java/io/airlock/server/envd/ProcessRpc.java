package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStateException;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.secrets.OutputMasker;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.core.secrets.SecretValues;
import io.airlock.core.secrets.Vault;
import io.airlock.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import java.util.function.Function;
import java.time.InstantSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * envd's {@code process.Process} service: start processes in a sandbox, stream their output,
 * reconnect to them by pid or tag, send them input and signals, resize their terminals.
 *
 * <p>A stream attaches its output reader right after the spawn, so it sees everything the process
 * prints; a {@code Connect} sees what is printed from then on. A stream that ends early (the
 * client's {@code Connect-Timeout-Ms} deadline of a {@code Connect}, a client that went away)
 * detaches its reader and leaves the process running (a {@code Start}'s deadline kills it, as
 * envd's does): it can be reached again with {@code Connect} until it exits. When
 * the sandbox itself dies under a stream, the connection is dropped without an end message, as
 * when envd dies with its sandbox, so the SDKs check the sandbox's health and say it was killed.
 */
final class ProcessRpc {
    static final String SERVICE = "process.Process";
    /** Names the secrets (comma-separated) a {@code Start}ed command gets as environment variables, on top of the sandbox's. */
    static final String SECRETS_HEADER = "X-Airlock-Secrets";
    private static final Map<String, Integer> SIGNALS = Map.of("SIGNAL_UNSPECIFIED", 0, "SIGNAL_SIGTERM", 15, "SIGNAL_SIGKILL", 9);

    private final SandboxService sandboxes;
    private final EnvdAccess access;
    private final Connect connect;
    private final SecretGrants secrets;
    /** The config each process was started with by {@code Start}, by sandbox and pid, until it exits. */
    private final Map<String, ObjectNode> configs = new ConcurrentHashMap<>();

    private final Function<String, Optional<Caller>> keys;

    /** @param keys authenticates an API key, for commands that name secrets from the owner's vault */
    ProcessRpc(SandboxService sandboxes, EnvdAccess access, InstantSource clock, SecretGrants secrets,
            Function<String, Optional<Caller>> keys) {
        this.keys = keys;
        this.secrets = secrets;
        this.sandboxes = sandboxes;
        this.access = access;
        this.connect = new Connect(clock, ctx -> EnvdCall.resolve(ctx, sandboxes, access, true));
    }

    void routes(RoutesConfig r) {
        connect.unary(r, SERVICE, "List", this::list);
        connect.serverStream(r, SERVICE, "Start", this::start);
        connect.serverStream(r, SERVICE, "Connect", this::connect);
        connect.unary(r, SERVICE, "SendInput", this::sendInput);
        connect.unary(r, SERVICE, "SendSignal", this::sendSignal);
        connect.unary(r, SERVICE, "CloseStdin", this::closeStdin);
        connect.unary(r, SERVICE, "Update", this::update);
        connect.unary(r, SERVICE, "StreamInput", (call, req) -> {
            throw new ConnectException(ConnectCode.UNIMPLEMENTED,
                    "StreamInput is a client stream, which needs HTTP/2; use SendInput (as the E2B SDKs do)");
        });
    }

    // ---- streams ----

    private void start(EnvdCall call, ProtoReader req, ConnectStream stream) throws Exception {
        ProtoReader config = req.requiredMessage("process", "the ProcessConfig with cmd, args, envs and cwd");
        String cmd = config.string("cmd");
        if (cmd.isBlank()) {
            throw ConnectException.invalidArgument("field 'process.cmd' is required: the program to run, e.g. /bin/bash");
        }
        List<String> args = config.strings("args");
        Map<String, String> envs = config.stringMap("envs");
        String cwd = config.optString("cwd").orElse("");
        ProcessSpec.PtySize pty = req.message("pty").map(ProcessRpc::ptySize).orElse(null);
        String tag = req.optString("tag").orElse("");
        // envd keeps stdin open unless told otherwise (older SDKs do not send the field)
        boolean stdin = req.optBool("stdin").orElse(true);

        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(cmd);
        argv.addAll(args);
        Map<String, String> spawnEnv = envs;
        String named = call.secretsHeader();
        if (named != null) {
            List<String> names;
            SecretValues values;
            try {
                names = Vault.parseNames(SECRETS_HEADER, named);
                String owner = sandboxes.get(call.sandboxId()).owner();
                // The access token opens this one sandbox; a vault is opened only by its tenant's API key.
                Caller caller = call.apiKey() == null ? null : keys.apply(call.apiKey()).orElse(null);
                if (caller == null || !caller.tenantId().equals(owner)) {
                    throw ConnectException.permissionDenied(SECRETS_HEADER + " needs the X-API-Key of the tenant that owns the"
                            + " sandbox: the access token alone does not open the vault");
                }
                values = secrets.forCommand(call.sandboxId(), owner, names, SECRETS_HEADER, caller.actor());
            } catch (InvalidRequestException e) {
                throw ConnectException.invalidArgument(e.getMessage());
            }
            spawnEnv = new HashMap<>(envs);
            spawnEnv.putAll(values.env());
        }
        SandboxProcess process;
        try {
            process = sandboxes.spawn(call.sandboxId(), new ProcessSpec(argv, spawnEnv, cwd, call.user(), stdin, pty, tag));
        } catch (RuntimeFailureException e) {
            // the agent's own refusal (no such program, cwd or user) names the in-sandbox cause
            if (e.getMessage() != null && e.getMessage().startsWith("could not start")) {
                throw ConnectException.invalidArgument(e.getMessage());
            }
            throw e;
        }
        ProcessOutput output = process.attach();
        String key = key(call.sandboxId(), process.pid());
        configs.put(key, ProcessEvents.config(cmd, args, envs, cwd));
        process.exit().whenComplete((status, failure) -> configs.remove(key));
        pump(call.sandboxId(), process, output, stream, true);
    }

    private void connect(EnvdCall call, ProtoReader req, ConnectStream stream) throws Exception {
        SandboxProcess process = select(call, req);
        pump(call.sandboxId(), process, process.attach(), stream, false);
    }

    /**
     * Sends start, the output, then end; on any early exit the reader is detached and the process
     * left running, except that a {@code Start} whose deadline passes kills its process, as envd
     * does (the SDKs' command {@code timeoutMs}).
     */
    private void pump(String sandboxId, SandboxProcess process, ProcessOutput output, ConnectStream stream,
            boolean killOnDeadline) throws Exception {
        // One masker per output stream: a value split across chunks of one stream is still found.
        Map<OutputChunk.Kind, OutputMasker> maskers = new EnumMap<>(OutputChunk.Kind.class);
        try (output) {
            stream.queue(ProcessEvents.start(process.pid()));
            while (true) {
                if (stream.expired()) {
                    if (killOnDeadline) {
                        process.signal(9);
                        throw new ConnectException(ConnectCode.DEADLINE_EXCEEDED, "the call's deadline (Connect-Timeout-Ms) passed before process "
                                + process.pid() + " ended; it was killed, as envd does. Pass a longer timeoutMs, or 0 for none");
                    }
                    throw new ConnectException(ConnectCode.DEADLINE_EXCEEDED, "the call's deadline (Connect-Timeout-Ms) passed before process "
                            + process.pid() + " ended; it is still running: reconnect with Connect, or kill it with SendSignal");
                }
                // What is already there goes out with what was queued; flushed only before a wait.
                Optional<OutputChunk> chunk = output.next(Duration.ZERO);
                if (chunk.isEmpty()) {
                    stream.flush();
                    chunk = output.next(stream.waitTime());
                }
                if (chunk.isEmpty()) {
                    if (stream.keepaliveDue()) {
                        stream.send(ProcessEvents.keepalive());
                    }
                } else if (chunk.get().kind() == OutputChunk.Kind.END) {
                    for (Map.Entry<OutputChunk.Kind, OutputMasker> m : maskers.entrySet()) {
                        byte[] rest = m.getValue().finish();
                        if (rest.length > 0) {
                            stream.queue(ProcessEvents.data(new OutputChunk(m.getKey(), rest)));
                        }
                    }
                    break;
                } else {
                    OutputChunk c = chunk.get();
                    byte[] masked = maskers.computeIfAbsent(c.kind(), k -> secrets.masker(sandboxId)).push(c.data());
                    if (masked == c.data()) {
                        stream.queue(ProcessEvents.data(c)); // nothing to mask: passed on as it came
                    } else if (masked.length > 0) {
                        stream.queue(ProcessEvents.data(new OutputChunk(c.kind(), masked)));
                    }
                }
            }
        }
        ExitStatus status = exitStatus(process);
        if (!alive(sandboxId)) {
            stream.abort("sandbox " + sandboxId + " was killed or reached its end of life while process " + process.pid() + " ran");
            return;
        }
        stream.queue(ProcessEvents.end(status)); // goes out with the end of the stream
    }

    private static ExitStatus exitStatus(SandboxProcess process) throws InterruptedException {
        try {
            // END is delivered once the output is drained; the status follows at once
            return process.exit().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new RuntimeFailureException("process " + process.pid() + " ended without a status", e.getCause());
        } catch (TimeoutException e) {
            throw new RuntimeFailureException("process " + process.pid() + " ended its output but reported no exit status in 30 s");
        }
    }

    private boolean alive(String sandboxId) {
        try {
            sandboxes.get(sandboxId);
            return true;
        } catch (SandboxNotFoundException e) {
            return false;
        }
    }

    // ---- unary ----

    private ObjectNode list(EnvdCall call, ProtoReader req) {
        ObjectNode answer = ProtoJson.object();
        var processes = answer.putArray("processes");
        for (SandboxProcess p : sandboxes.processes(call.sandboxId())) {
            ObjectNode config = configs.get(key(call.sandboxId(), p.pid()));
            processes.add(ProcessEvents.info(p.pid(), config != null ? config : maskedConfig(call.sandboxId(), p.spec()), p.spec().tag()));
        }
        return answer;
    }

    private ObjectNode sendInput(EnvdCall call, ProtoReader req) {
        ProtoReader input = req.requiredMessage("input", "a ProcessInput with stdin or pty bytes");
        String which = input.oneof("input", "stdin", "pty")
                .orElseThrow(() -> ConnectException.invalidArgument("field 'input' must set stdin or pty (base64 bytes)"));
        byte[] data = input.bytes(which);
        SandboxProcess process = select(call, req);
        if (process.spec().pty() == null && !process.spec().stdin()) {
            throw ConnectException.failedPrecondition("process " + process.pid() + " was started with stdin closed; start it with"
                    + " stdin: true to send it input");
        }
        try {
            process.writeStdin(data);
        } catch (SandboxStateException e) {
            throw gone(call, process, e);
        }
        return ProtoJson.object();
    }

    private ObjectNode sendSignal(EnvdCall call, ProtoReader req) {
        int signal = req.enumValue("signal", SIGNALS);
        if (signal != 9 && signal != 15) {
            throw ConnectException.invalidArgument("field 'signal' must be SIGNAL_SIGTERM or SIGNAL_SIGKILL, got " + signal);
        }
        SandboxProcess process = select(call, req);
        try {
            process.signal(signal);
        } catch (SandboxStateException e) {
            throw gone(call, process, e);
        }
        return ProtoJson.object();
    }

    private ObjectNode closeStdin(EnvdCall call, ProtoReader req) {
        SandboxProcess process = select(call, req);
        if (process.spec().pty() != null) {
            throw ConnectException.failedPrecondition("process " + process.pid() + " runs on a pty, which has no stdin to close;"
                    + " send Ctrl+D (0x04) as pty input instead");
        }
        if (process.spec().stdin()) {
            try {
                process.closeStdin();
            } catch (SandboxStateException e) {
                throw gone(call, process, e);
            }
        }
        return ProtoJson.object();
    }

    private ObjectNode update(EnvdCall call, ProtoReader req) {
        Optional<ProcessSpec.PtySize> size = req.message("pty").map(ProcessRpc::ptySize);
        SandboxProcess process = select(call, req);
        if (size.isPresent()) {
            if (process.spec().pty() == null) {
                throw ConnectException.failedPrecondition("process " + process.pid() + " has no pty to resize; start it with a pty");
            }
            try {
                process.resize(size.get());
            } catch (SandboxStateException e) {
                throw gone(call, process, e);
            }
        }
        return ProtoJson.object();
    }

    // ---- helpers ----

    /**
     * The config of a process started elsewhere, whose environment is the merged one and may hold
     * the sandbox's secrets: every value the sandbox got is masked.
     */
    private ObjectNode maskedConfig(String sandboxId, ProcessSpec spec) {
        Map<String, String> env = new HashMap<>();
        spec.env().forEach((k, v) -> env.put(k, secrets.mask(sandboxId, v)));
        List<String> args = spec.args().stream().map(a -> secrets.mask(sandboxId, a)).toList();
        return ProcessEvents.config(new ProcessSpec(args, env, spec.cwd(), spec.user(), spec.stdin(), spec.pty(), spec.tag()));
    }

    /** The process a {@code ProcessSelector} names: by pid or by tag. */
    private SandboxProcess select(EnvdCall call, ProtoReader req) {
        ProtoReader selector = req.requiredMessage("process", "a ProcessSelector with pid or tag");
        String which = selector.oneof("selector", "pid", "tag")
                .orElseThrow(() -> ConnectException.invalidArgument("field 'process' must set pid or tag"));
        if (which.equals("pid")) {
            long pid = selector.uint32("pid");
            return (pid > Integer.MAX_VALUE ? Optional.<SandboxProcess>empty() : sandboxes.process(call.sandboxId(), (int) pid))
                    .orElseThrow(() -> ConnectException.notFound("process with pid " + pid + " is not running in this sandbox"
                            + " (it exited, or was never started)"));
        }
        String tag = selector.string("tag");
        return sandboxes.processes(call.sandboxId()).stream()
                .filter(p -> !tag.isEmpty() && p.spec().tag().equals(tag))
                .findFirst()
                .orElseThrow(() -> ConnectException.notFound("no process with tag '" + tag + "' is running in this sandbox"));
    }

    /** A process operation failed because the process or the sandbox ended meanwhile. */
    private RuntimeException gone(EnvdCall call, SandboxProcess process, SandboxStateException e) {
        if (alive(call.sandboxId()) && sandboxes.process(call.sandboxId(), process.pid()).isEmpty()) {
            return ConnectException.notFound("process " + process.pid() + " has exited");
        }
        return e;
    }

    private static ProcessSpec.PtySize ptySize(ProtoReader pty) {
        ProtoReader size = pty.requiredMessage("size", "the terminal's cols and rows");
        long cols = size.uint32("cols");
        long rows = size.uint32("rows");
        if (cols < 1 || rows < 1 || cols > 65535 || rows > 65535) {
            throw ConnectException.invalidArgument("field 'pty.size' must have cols and rows from 1 to 65535, got " + cols + "x" + rows);
        }
        return new ProcessSpec.PtySize((int) cols, (int) rows);
    }

    private static String key(String sandboxId, int pid) {
        return sandboxId + "/" + pid;
    }
}
