package io.airlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.CommandRunner;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxService;
import io.airlock.core.WorkspaceRequest;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.Workspaces;
import io.airlock.server.Airlock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The workspace part of {@code ./airlock bench}: what checking out and committing 1,000 files
 * (10 MiB) costs, and what a workspace adds to creating a sandbox. Baselines, in the same run on
 * the same files: {@code cp -a} into a tmpfs for a checkout, and {@code git add -A && git commit}
 * (content-addressed too, but neither encrypted nor fsynced) for a commit.
 */
final class WorkspaceBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FILES = 1000;
    private static final int FILE_BYTES = (10 << 20) / FILES; // 10 MiB in all
    private static final int CHANGED = 10;

    private final int n;
    private final Path templates;
    private final Path agent;
    private final Report report;
    private final HttpClient http = HttpClient.newHttpClient();

    WorkspaceBench(int n, Path templates, Path agent, Report report) {
        this.n = Math.min(n, 20); // each sample writes 10 MiB several times
        this.templates = templates;
        this.agent = agent;
        this.report = report;
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory("airlock-ws-bench");
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "airlock-ws-bench");
        Path home = work.resolve("home");
        try (Airlock airlock = BenchServer.start("wsbench", home, templates, agent, Map.of())) {
            String tenant = adminTenant(airlock, home);
            Path tree = shm.resolve("tree");
            writeTree(tree);
            measure(airlock.workspaces(), airlock.service(), tenant, tree, shm);
        } finally {
            deleteTree(shm);
            deleteTree(work);
        }
    }

    private void measure(Workspaces ws, SandboxService service, String tenant, Path tree, Path shm) throws Exception {
        Samples commitNew = new Samples();
        Samples gitNew = new Samples();
        Samples commitSome = new Samples();
        Samples gitSome = new Samples();
        Samples checkout = new Samples();
        Samples copy = new Samples();
        for (int i = 0; i < n; i++) {
            String name = "bench-" + i;
            ws.create(tenant, name);
            Path dir = fresh(shm, "co");
            Checkout empty = ws.checkout(tenant, name, null, true, dir, 0, 0);
            sh(shm, "cp", "-a", tree + "/.", dir.toString());
            long t0 = System.nanoTime();
            CommitResult first = ws.commit(empty, dir, "bench");
            commitNew.add(System.nanoTime() - t0);
            Checkout base = new Checkout(empty.workspaceId(), tenant, name, first.version().number(), true);
            touchSome(dir, i);
            t0 = System.nanoTime();
            ws.commit(base, dir, "bench");
            commitSome.add(System.nanoTime() - t0);
            deleteTree(dir);

            Path repo = fresh(shm, "git");
            sh(repo, "cp", "-a", tree + "/.", repo.toString());
            sh(repo, "git", "init", "-q");
            t0 = System.nanoTime();
            sh(repo, "sh", "-c", "git add -A && git -c user.name=b -c user.email=b@b commit -qm first");
            gitNew.add(System.nanoTime() - t0);
            touchSome(repo, i);
            t0 = System.nanoTime();
            sh(repo, "git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qam", "some");
            gitSome.add(System.nanoTime() - t0);
            deleteTree(repo);

            Path out = fresh(shm, "out");
            t0 = System.nanoTime();
            ws.checkout(tenant, name, null, false, out, 1000, 1000);
            checkout.add(System.nanoTime() - t0);
            deleteTree(out);
            Path target = shm.resolve("cp-" + i);
            t0 = System.nanoTime();
            sh(shm, "cp", "-a", tree.toString(), target.toString());
            copy.add(System.nanoTime() - t0);
            deleteTree(target);
        }
        Samples plain = new Samples();
        Samples withWorkspace = new Samples();
        for (int i = 0; i < n; i++) {
            plain.add(createToFirstOutput(service, SandboxRequest.of("base").withOwner(tenant)));
            withWorkspace.add(createToFirstOutput(service, SandboxRequest.of("base").withOwner(tenant)
                    .withWorkspace(new WorkspaceRequest("bench-0", false, null))));
        }
        String what = FILES + " files / " + Math.round(FILES * (double) FILE_BYTES / (1 << 20)) + " MiB";
        report.latency("workspace commit, " + what + " new", commitNew, "git add -A && git commit", gitNew, "-");
        report.latency("workspace commit, " + CHANGED + " of " + FILES + " changed", commitSome, "git commit -a, same change", gitSome, "-");
        report.latency("workspace checkout (mount), " + what, checkout, "cp -a into a tmpfs", copy, "-");
        report.latency("create -> first output, " + what + " workspace", withWorkspace, "the same without a workspace", plain, "-");
    }

    /** Creates, runs {@code true}, returns the time to its exit, kills. */
    private static long createToFirstOutput(SandboxService service, SandboxRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        String id = service.create(request).id();
        var p = service.spawn(id, new ProcessSpec(List.of("/bin/true"), Map.of(), "", "", false, null, ""));
        CommandRunner.run(p, Duration.ofSeconds(60), 1024);
        long t = System.nanoTime() - t0;
        service.kill(id);
        return t;
    }

    /** 1,000 files of 10 KiB of random bytes in 20 directories. */
    private static void writeTree(Path tree) throws IOException {
        Random random = new Random(42);
        byte[] content = new byte[FILE_BYTES];
        for (int i = 0; i < FILES; i++) {
            Path dir = Files.createDirectories(tree.resolve("dir" + (i % 20)));
            random.nextBytes(content);
            Files.write(dir.resolve("file" + i + ".bin"), content);
        }
    }

    private static void touchSome(Path root, int round) throws IOException {
        for (int i = 0; i < CHANGED; i++) {
            int f = (i * 97 + round) % FILES;
            Files.writeString(root.resolve("dir" + (f % 20)).resolve("file" + f + ".bin"), "changed " + round + " " + i);
        }
    }

    private static Path fresh(Path parent, String prefix) throws IOException {
        return Files.createTempDirectory(parent, prefix);
    }

    private String adminTenant(Airlock airlock, Path home) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + airlock.port() + "/admin/tenants"))
                        .header("X-API-Key", Files.readString(home.resolve("admin.key")).trim())
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode t : JSON.readTree(r.body())) {
            if (t.path("admin").asBoolean()) {
                return t.path("id").asText();
            }
        }
        throw new IllegalStateException("no admin tenant in " + r.body());
    }

    private static void sh(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
