package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * E2B's code-interpreter API on port 49999: {@code POST /execute} streams NDJSON lines
 * ({@code stdout}, {@code stderr}, {@code result}, {@code error}, {@code number_of_executions},
 * {@code end_of_execution}), read on a daemon thread; {@code /contexts} manages contexts. A run
 * that times out is interrupted by closing its connection, which the server turns into an
 * interrupt of the code; the context keeps its state.
 */
final class CodeInterpreter {
    private final DataPlane plane;

    CodeInterpreter(DataPlane plane) {
        this.plane = plane;
    }

    Execution run(String code, RunCodeOptions options) {
        ObjectNode body = Json.object();
        body.put("code", code);
        if (!options.contextId().isEmpty()) {
            body.put("context_id", options.contextId());
        } else if (!options.language().isEmpty()) {
            body.put("language", options.language());
        }
        if (!options.env().isEmpty()) {
            body.set("env_vars", Json.map(options.env()));
        }
        String what = "run code in sandbox " + plane.sandboxId()
                + (options.contextId().isEmpty() ? "" : " (context " + options.contextId() + ")");
        HttpRequest request = plane.request("/execute", DataPlane.INTERPRETER_PORT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        InputStream in = plane.transport().stream(request, what, true);
        CompletableFuture<Execution> done = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(in, options, what, done), "airlock-execution-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            return options.timeout().isZero() ? done.get() : done.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AirlockException ? (AirlockException) e.getCause()
                    : new SandboxException(what + ": " + e.getCause(), 0, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            stop(in, reader);
            throw new TimeoutException(what + ": the code ran longer than " + options.timeout().toMillis()
                    + " ms; it was interrupted and the context keeps its state", options.timeout(), e);
        } catch (InterruptedException e) {
            stop(in, reader);
            throw Errors.interrupted(e, what);
        }
    }

    private static void read(InputStream in, RunCodeOptions options, String what, CompletableFuture<Execution> done) {
        List<Result> results = new ArrayList<>();
        List<String> stdout = new ArrayList<>();
        List<String> stderr = new ArrayList<>();
        ExecutionError error = null;
        long count = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode l = Json.parse(line.getBytes(StandardCharsets.UTF_8));
                switch (Json.text(l, "type")) {
                    case "stdout":
                        stdout.add(Json.text(l, "text"));
                        options.onStdout().accept(Json.text(l, "text"));
                        break;
                    case "stderr":
                        stderr.add(Json.text(l, "text"));
                        options.onStderr().accept(Json.text(l, "text"));
                        break;
                    case "result":
                        Result r = new Result(l);
                        results.add(r);
                        options.onResult().accept(r);
                        break;
                    case "error":
                        error = new ExecutionError(Json.text(l, "name"), Json.text(l, "value"), Json.text(l, "traceback"));
                        break;
                    case "number_of_executions":
                        count = l.path("execution_count").asLong();
                        break;
                    case "end_of_execution":
                        done.complete(new Execution(results, new Logs(stdout, stderr), error, count));
                        return;
                    case "unexpected_end_of_execution":
                        done.complete(new Execution(results, new Logs(stdout, stderr), error != null ? error
                                : new ExecutionError("UnexpectedEndOfExecution", "the kernel ended the execution early", ""), count));
                        return;
                    default:
                        break; // keepalive, and kinds this SDK does not know yet
                }
            }
            done.completeExceptionally(new SandboxException(what + ": the answer ended before end_of_execution"
                    + " (was the sandbox killed?)", 0));
        } catch (IOException e) {
            done.completeExceptionally(new SandboxException(what + ": reading the answer failed: " + e.getMessage(), 0, e));
        } catch (RuntimeException e) {
            done.completeExceptionally(new SandboxException(what + ": a callback failed: " + e, 0, e));
        }
    }

    /** Closes the connection, which the server takes as an interrupt of the code, and stops the reader. */
    private static void stop(InputStream in, Thread reader) {
        try {
            in.close();
        } catch (IOException e) {
            // the connection is gone either way
        }
        reader.interrupt();
    }

    CodeContext create(String language, String cwd) {
        ObjectNode body = Json.object().put("language", language).put("cwd", cwd);
        String what = "create a " + language + " context in sandbox " + plane.sandboxId();
        HttpRequest request = plane.request("/contexts", DataPlane.INTERPRETER_PORT)
                .timeout(kernelStart())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        return Wire.context(plane.transport().expect(request, what, true).json());
    }

    List<CodeContext> list() {
        HttpRequest request = plane.request("/contexts", DataPlane.INTERPRETER_PORT).GET().build();
        List<CodeContext> out = new ArrayList<>();
        plane.transport().expect(request, "list the code contexts of sandbox " + plane.sandboxId(), true).json()
                .forEach(c -> out.add(Wire.context(c)));
        return out;
    }

    void restart(CodeContext context) {
        HttpRequest request = plane.request("/contexts/" + encode(context.id()) + "/restart", DataPlane.INTERPRETER_PORT)
                .timeout(kernelStart())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        plane.transport().expect(request, "restart context " + context.id() + " in sandbox " + plane.sandboxId(), true);
    }

    void remove(CodeContext context) {
        HttpRequest request = plane.request("/contexts/" + encode(context.id()), DataPlane.INTERPRETER_PORT).DELETE().build();
        plane.transport().expect(request, "remove context " + context.id() + " in sandbox " + plane.sandboxId(), true);
    }

    /** Starting a kernel (node, python with imports) can take longer than an ordinary request. */
    private Duration kernelStart() {
        Duration request = plane.transport().config().requestTimeout();
        Duration atLeast = Duration.ofSeconds(60);
        return request.compareTo(atLeast) > 0 ? request : atLeast;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
