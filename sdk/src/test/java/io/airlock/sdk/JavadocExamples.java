package io.airlock.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every {@code <pre>{@code ...}</pre>} example in the SDK's Javadoc (its public types and the package
 * overview), copied verbatim, one method per example, so that the compiler checks them. Each method
 * takes as parameters whatever its example assumes exists ({@code client}, {@code sbx}, {@code id},
 * ...), and declares what it lets through ({@code result} writes a file). {@link JavadocExamplesTest}
 * fails when an example here and its Javadoc differ, so change both together; it also runs the
 * examples that need nothing but a client or a sandbox.
 */
final class JavadocExamples {
    private JavadocExamples() {}

    /** {@link AirlockClient}. */
    static void airlockClient() {
        AirlockClient client = AirlockClient.builder()
                .url("http://127.0.0.1:8700")
                .apiKey(System.getenv("AIRLOCK_API_KEY"))
                .requestTimeout(Duration.ofSeconds(30))
                .build();
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            System.out.println(sbx.commands().run("uname -a").stdout());
        }
    }

    /** {@link AirlockException}. */
    static void airlockException(AirlockClient client) {
        try {
            client.sandboxes().connect("ibx0123");
        } catch (NotFoundException e) {
            // the sandbox was killed, timed out, or never existed
        } catch (AirlockException e) {
            System.err.println(e.getMessage() + " (HTTP " + e.status() + ")");
        }
    }

    /** {@link AuthenticationException}. */
    static void authenticationException() {
        AirlockClient.builder().apiKey("e2b_wrong").build().sandboxes().list(ListOptions.all()); // throws
    }

    /** {@link CodeContext}. */
    static void codeContext(Sandbox sbx) {
        CodeContext py = sbx.createCodeContext("python", "/home/user");
        sbx.runCode("x = 41", RunCodeOptions.builder().context(py).build());
        sbx.runCode("x + 1", RunCodeOptions.builder().context(py).build()).text();   // Optional["42"]
    }

    /** {@link CommandExitException}. */
    static void commandExitException(Sandbox sbx) {
        try {
            sbx.commands().run("ls /nope");
        } catch (CommandExitException e) {
            int code = e.result().exitCode();     // 2
            String why = e.result().stderr();     // "ls: cannot access '/nope': ..."
        }
    }

    /** {@link CommandHandle}. */
    static void commandHandle(Sandbox sbx) {
        CommandHandle h = sbx.commands().start("cat", RunOptions.builder().stdin(true).build());
        h.sendStdin("hello\n");
        h.closeStdin();
        CommandResult r = h.waitFor();      // r.stdout() == "hello\n"
    }

    /** {@link CommandResult}. */
    static void commandResult(Sandbox sbx) {
        CommandResult r = sbx.commands().run("python3 -c 'print(1+1)'");
        assert r.exitCode() == 0 && r.stdout().equals("2\n");
    }

    /** {@link Commands}. */
    static void commands(Sandbox sbx) {
        CommandResult r = sbx.commands().run("echo hi");            // r.stdout() == "hi\n"
        CommandHandle server = sbx.commands().start("python3 -m http.server 8000", RunOptions.defaults());
        sbx.commands().list();                                      // [..., ProcessInfo[pid=..., cmd=/bin/bash, ...]]
        server.kill();
    }

    /** {@link ConflictException}. */
    static void conflictException(Sandbox sbx) {
        sbx.files().makeDir("/tmp"); // false rather than this exception, as E2B does
    }

    /** {@link EgressAudit}. */
    static void egressAudit(AirlockClient client) {
        String id;
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().learnEgress(true).build())) {
            id = sbx.sandboxId();
            sbx.commands().run("pip download requests");
        }
        List<String> allow = client.sandboxes().egress(id).proposedAllowOut();   // e.g. [pypi.org, files.pythonhosted.org]
    }

    /** {@link EgressEvent}. */
    static void egressEvent(AirlockClient client, String id) {
        client.sandboxes().egress(id).events().stream()
                .filter(e -> !e.allowed())
                .forEach(e -> System.out.println("denied " + e.name() + ":" + e.port() + " (" + e.reason() + ")"));
    }

    /** {@link EntryInfo}. */
    static void entryInfo(Sandbox sbx) {
        EntryInfo e = sbx.files().stat("/home/user/a.txt");
        System.out.println(e.permissions() + " " + e.owner() + " " + e.size());   // -rw-r--r-- user 5
    }

    /** {@link EntryType}. */
    static void entryType(Sandbox sbx) {
        boolean dir = sbx.files().stat("/home/user").type() == EntryType.DIRECTORY;
    }

    /** {@link Execution}. */
    static void execution(Sandbox sbx) {
        Execution ex = sbx.runCode("print('hi'); 1 + 1");
        ex.text();                 // Optional["2"]: the main result's text
        ex.logs().stdout();        // ["hi\n"]
        ex.error();                // empty: it raised nothing
    }

    /** {@link ExecutionError}. */
    static void executionError(Sandbox sbx) {
        sbx.runCode("1/0").error().ifPresent(e -> System.err.println(e.name() + ": " + e.value()));  // ZeroDivisionError: division by zero
    }

    /** {@link FileEvent}. */
    static void fileEvent(Sandbox sbx) {
        sbx.files().watch("/home/user", e -> {
            if (e.type() == FileEvent.Type.CREATE) System.out.println("new: " + e.name());
        });
    }

    /** {@link InvalidRequestException}. */
    static void invalidRequestException(AirlockClient client) {
        try {
            client.sandboxes().create(SandboxSpec.builder().template("no-such-template").build());
        } catch (InvalidRequestException | NotFoundException e) {
            System.err.println(e.getMessage());
        }
    }

    /** {@link ListOptions}. */
    static void listOptions(AirlockClient client) {
        ListOptions first = ListOptions.builder().metadata(Map.of("user", "alice")).state(SandboxState.RUNNING).limit(10).build();
        Page<SandboxInfo> page = client.sandboxes().list(first);
        while (page.nextToken().isPresent()) {
            page = client.sandboxes().list(first.withNextToken(page.nextToken().get()));
        }
    }

    /** {@link Logs}. */
    static void logs(Sandbox sbx) {
        String out = String.join("", sbx.runCode("print('hi')").logs().stdout());   // "hi\n"
    }

    /** {@link NotFoundException}. */
    static void notFoundException(AirlockClient client) {
        client.sandboxes().connect("ibx-gone"); // throws NotFoundException
    }

    /** {@link Page}. */
    static void page(AirlockClient client) {
        Page<SandboxInfo> page = client.sandboxes().list(ListOptions.builder().limit(10).build());
        page.items().forEach(s -> System.out.println(s.sandboxId()));
        page.nextToken().ifPresent(t -> System.out.println("more after " + t));
    }

    /** {@link ProcessInfo}. */
    static void processInfo(Sandbox sbx) {
        for (ProcessInfo p : sbx.commands().list()) {
            System.out.println(p.pid() + " " + p.cmd() + " " + p.args());
        }
    }

    /** {@link Pty}. */
    static void pty(Sandbox sbx) {
        Pty pty = sbx.pty().create(80, 24, out -> System.out.writeBytes(out));
        pty.sendInput("exit\n".getBytes(StandardCharsets.UTF_8));
        pty.waitFor(Duration.ofSeconds(5));
    }

    /** {@link Ptys}. */
    static void ptys(Sandbox sbx) {
        try (Pty pty = sbx.pty().create(80, 24, bytes -> System.out.write(bytes, 0, bytes.length))) {
            pty.sendInput("ls -la\n".getBytes(StandardCharsets.UTF_8));
            pty.resize(120, 40);
        }
    }

    /** {@link RateLimitException}. */
    static void rateLimitException(AirlockClient client, SandboxSpec spec) {
        client.sandboxes().create(spec); // throws when the tenant already runs its maximum
    }

    /** {@link Result}. */
    static void result(Sandbox sbx) throws IOException {
        Result r = sbx.runCode("import matplotlib.pyplot as plt; plt.plot([1, 3]); plt.show()").results().get(0);
        byte[] png = r.png().orElseThrow();
        java.nio.file.Files.write(Path.of("plot.png"), png);
    }

    /** {@link RunCodeOptions}. */
    static void runCodeOptions(Sandbox sbx) {
        sbx.runCode("for i in range(3): print(i)", RunCodeOptions.builder()
                .onStdout(System.out::print)
                .timeout(Duration.ofSeconds(30))
                .build());
        sbx.runCode("[1, 2].map(x => x * 2)", RunCodeOptions.builder().language("javascript").build());
    }

    /** {@link RunOptions}. */
    static void runOptions(Sandbox sbx) {
        RunOptions opts = RunOptions.builder()
                .onStdout(chunk -> System.out.print(chunk))
                .cwd("/tmp").user("root").env(Map.of("DEBUG", "1"))
                .secrets("PYPI_TOKEN")
                .timeout(Duration.ofMinutes(2))
                .build();
        sbx.commands().run("make test", opts);
    }

    /** {@link Sandbox}. */
    static void sandbox(AirlockClient client) {
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().template("code-interpreter").build())) {
            sbx.files().write("/home/user/data.csv", "a,b\n1,2\n");
            Execution ex = sbx.runCode("import pandas as pd; pd.read_csv('data.csv').a.sum()");
            System.out.println(ex.text().orElse(""));   // 1
        }
    }

    /** {@link SandboxException}. */
    static void sandboxException(Sandbox sbx) {
        sbx.commands().run("true"); // throws SandboxException if the server cannot be reached
    }

    /** {@link SandboxFiles}. */
    static void sandboxFiles(Sandbox sbx) {
        SandboxFiles files = sbx.files();
        files.write("/home/user/notes/a.txt", "hello");
        String text = files.readString("/home/user/notes/a.txt");
        files.list("/home/user/notes").forEach(e -> System.out.println(e.name() + " " + e.size()));
    }

    /** {@link SandboxInfo}. */
    static void sandboxInfo(Sandbox sbx) {
        SandboxInfo info = sbx.info();
        Duration left = Duration.between(Instant.now(), info.endAt());
    }

    /** {@link SandboxSpec}. */
    static void sandboxSpec() {
        SandboxSpec spec = SandboxSpec.builder()
                .template("code-interpreter")
                .timeout(Duration.ofMinutes(5))
                .env(Map.of("MODE", "test"))
                .metadata(Map.of("user", "alice"))
                .secrets("OPENAI_API_KEY")
                .allowOut(List.of("pypi.org")).denyOut(List.of("0.0.0.0/0"))
                .build();
    }

    /** {@link Secrets}. */
    static void secrets(AirlockClient client) {
        client.secrets().set("OPENAI_API_KEY", System.getenv("OPENAI_API_KEY"));
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().secrets("OPENAI_API_KEY").build())) {
            sbx.commands().run("python3 agent.py");
        }
    }

    /** {@link SecretInfo}. */
    static void secretInfo(AirlockClient client) {
        client.secrets().list().forEach(s -> System.out.println(s.name() + " updated " + s.updatedAt()));
    }

    /** {@link SecretUse}. */
    static void secretUse(AirlockClient client) {
        client.secrets().uses("OPENAI_API_KEY", 20)
                .forEach(u -> System.out.println(u.at() + " " + u.sandboxId() + " " + u.scope() + " by " + u.actor()));
    }

    /** {@link SandboxState}. */
    static void sandboxState(Sandbox sbx) {
        if (sbx.info().state() == SandboxState.PAUSED) sbx.resume();
    }

    /** {@link Sandboxes}. */
    static void sandboxes(AirlockClient client) {
        Sandboxes sandboxes = client.sandboxes();
        try (Sandbox sbx = sandboxes.create(SandboxSpec.builder().template("base").build())) {
            Sandbox same = sandboxes.connect(sbx.sandboxId());
        }
        sandboxes.list(ListOptions.all()).items().forEach(System.out::println);
    }

    /** {@link TimeoutException}. */
    static void timeoutException(Sandbox sbx) {
        try {
            sbx.commands().run("sleep 10", RunOptions.builder().timeout(Duration.ofSeconds(1)).build());
        } catch (TimeoutException e) {
            System.err.println("gave up after " + e.timeout());
        }
    }

    /** {@link WatchHandle}. */
    static void watchHandle(Sandbox sbx) {
        try (WatchHandle w = sbx.files().watch("/home/user", e -> System.out.println(e))) {
            sbx.files().write("/home/user/new.txt", "x");
        }
    }

    /** {@link Workspaces}. */
    static void workspaces(AirlockClient client) {
        Workspaces ws = client.workspaces();
        ws.create("project");
        ws.upload("project", Path.of("project.tar.gz"));              // tar, tar.gz or zip
        for (WorkspaceVersion v : ws.versions("project")) {
            System.out.println(v.number() + " " + v.origin() + " " + v.files() + " files");
        }
        ws.download("project", 0, Path.of("head.tar.gz"));            // 0 = the head
    }

    /** {@link WorkspaceInfo}. */
    static void workspaceInfo(AirlockClient client) {
        WorkspaceInfo w = client.workspaces().get("project");
        System.out.println(w.name() + " at version " + w.head() + ": " + w.files() + " files, " + w.bytes() + " bytes");
    }

    /** {@link WorkspaceVersion}. */
    static void workspaceVersion(AirlockClient client) {
        WorkspaceVersion v = client.workspaces().version("project", 3);
        if (v.conflict()) {
            System.out.println("version 3 conflicted on " + v.conflicts() + "; the head kept the other side");
        }
        v.changes().forEach(c -> System.out.println(c.kind() + " " + c.path()));
    }

    /** {@link WorkspaceChange}. */
    static void workspaceChange(AirlockClient client) {
        for (WorkspaceChange c : client.workspaces().diff("project", 1, 2)) {
            System.out.println(c.kind() + " " + c.type() + " " + c.path() + " (" + c.size() + " bytes)");   // modified file src/app.py (812 bytes)
        }
    }

    /** {@link WorkspaceCommit}. */
    static void workspaceCommit(AirlockClient client) {
        WorkspaceCommit c = client.workspaces().upload("project", Path.of("project.zip"));
        if (c.version() != null) {
            System.out.println(c.outcome() + " as version " + c.version().number());   // committed as version 4
        }
    }

    /** {@code package-info.java}: the package overview. */
    static void packageOverview() {
        AirlockClient client = AirlockClient.builder().build();   // AIRLOCK_URL / AIRLOCK_API_KEY
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            System.out.println(sbx.commands().run("echo hi").stdout());
        }
    }
}
