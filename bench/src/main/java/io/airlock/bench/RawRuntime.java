package io.airlock.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline: the OCI runtime driven directly, with its own default spec ({@code runc spec})
 * over the same template rootfs, read-only, with no Airlock in between.
 */
final class RawRuntime {
    private final List<String> base;
    private final Path work;
    private final Path rootfs;
    private int counter;

    RawRuntime(String binary, List<String> globalFlags, Path work, Path rootfs) {
        this.base = new ArrayList<>(List.of(binary, "--root", work.resolve("state").toString()));
        this.base.addAll(globalFlags);
        this.work = work;
        this.rootfs = rootfs;
    }

    /** {@code <runtime> run} of {@code echo ok}: nanoseconds from start until "ok" is read. */
    long runEcho() throws Exception {
        String id = "raw-" + ProcessHandle.current().pid() + "-" + counter++;
        Path bundle = bundle(id, List.of("echo", "ok"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd("run", "--bundle", bundle.toString(), id)).redirectErrorStream(true).start();
        long t;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            t = System.nanoTime() - t0;
            if (!"ok".equals(line)) {
                throw new IllegalStateException("raw run printed '" + line + "', expected 'ok'");
            }
        }
        p.waitFor();
        run("delete", "--force", id);
        return t;
    }

    /** Starts a detached container running {@code sleep infinity}; returns its id. */
    String startSleeper() throws Exception {
        String id = "raw-sleeper-" + ProcessHandle.current().pid() + "-" + counter++;
        Path bundle = bundle(id, List.of("sleep", "infinity"));
        Process p = new ProcessBuilder(cmd("run", "-d", "--bundle", bundle.toString(), id))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("raw run -d failed for " + id);
        }
        return id;
    }

    /** {@code <runtime> exec <id> true}: nanoseconds until it exits. */
    long execTrue(String id) throws Exception {
        long t0 = System.nanoTime();
        int rc = new ProcessBuilder(cmd("exec", id, "true")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        long t = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException("raw exec exited " + rc);
        }
        return t;
    }

    void delete(String id) throws Exception {
        run("delete", "--force", id);
    }

    private Path bundle(String id, List<String> args) throws IOException, InterruptedException {
        Path bundle = work.resolve("bundles").resolve(id);
        Files.createDirectories(bundle);
        Path config = bundle.resolve("config.json");
        if (!Files.exists(work.resolve("default-config.json"))) {
            Process p = new ProcessBuilder("runc", "spec", "--bundle", work.toString()).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("runc spec failed");
            }
            Files.move(work.resolve("config.json"), work.resolve("default-config.json"));
        }
        ObjectMapper m = new ObjectMapper();
        ObjectNode spec = (ObjectNode) m.readTree(work.resolve("default-config.json").toFile());
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", false);
        ArrayNode a = process.putArray("args");
        args.forEach(a::add);
        ObjectNode root = (ObjectNode) spec.get("root");
        root.put("path", rootfs.toString());
        root.put("readonly", true);
        m.writeValue(config.toFile(), spec);
        return bundle;
    }

    private List<String> cmd(String... args) {
        List<String> c = new ArrayList<>(base);
        c.addAll(List.of(args));
        return c;
    }

    private void run(String... args) throws IOException, InterruptedException {
        new ProcessBuilder(cmd(args)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
