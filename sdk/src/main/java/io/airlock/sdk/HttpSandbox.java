package io.airlock.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/** {@link Sandbox}: lifecycle through the control plane, everything else through its {@link DataPlane}. */
final class HttpSandbox implements Sandbox {
    private final DataPlane plane;
    private final HttpSandboxes sandboxes;
    private final Commands commands;
    private final SandboxFiles files;
    private final Ptys ptys;
    private final CodeInterpreter interpreter;
    private volatile Duration timeout;

    HttpSandbox(DataPlane plane, HttpSandboxes sandboxes, Duration timeout) {
        this.plane = plane;
        this.sandboxes = sandboxes;
        this.timeout = timeout;
        this.commands = new EnvdCommands(plane);
        this.files = new EnvdFiles(plane);
        this.ptys = new EnvdPtys(plane);
        this.interpreter = new CodeInterpreter(plane);
    }

    @Override
    public String sandboxId() {
        return plane.sandboxId();
    }

    @Override
    public Commands commands() {
        return commands;
    }

    @Override
    public SandboxFiles files() {
        return files;
    }

    @Override
    public Ptys pty() {
        return ptys;
    }

    @Override
    public Execution runCode(String code) {
        return interpreter.run(code, RunCodeOptions.defaults());
    }

    @Override
    public Execution runCode(String code, RunCodeOptions options) {
        return interpreter.run(code, options);
    }

    @Override
    public CodeContext createCodeContext(String language, String cwd) {
        return interpreter.create(language, cwd);
    }

    @Override
    public List<CodeContext> listCodeContexts() {
        return interpreter.list();
    }

    @Override
    public void restartCodeContext(CodeContext context) {
        interpreter.restart(context);
    }

    @Override
    public void removeCodeContext(CodeContext context) {
        interpreter.remove(context);
    }

    @Override
    public SandboxInfo info() {
        return sandboxes.info(sandboxId());
    }

    @Override
    public void setTimeout(Duration timeout) {
        if (timeout == null || timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 second, got " + timeout);
        }
        Transport t = plane.transport();
        ObjectNode body = Json.object().put("timeout", timeout.toSeconds());
        t.expect(Transport.withJson(t.control("/sandboxes/" + HttpSandboxes.path(sandboxId()) + "/timeout"), "POST", body).build(),
                "set the timeout of sandbox " + sandboxId(), false);
        this.timeout = timeout;
    }

    @Override
    public boolean pause() {
        Transport t = plane.transport();
        String what = "pause sandbox " + sandboxId();
        Transport.Response r = t.send(Transport.withJson(t.control("/sandboxes/" + HttpSandboxes.path(sandboxId()) + "/pause"), "POST",
                Json.object()).build(), what);
        if (r.status == 409) {
            return false;
        }
        if (r.status >= 300) {
            throw Errors.of(r.status, r.json(), what, false);
        }
        return true;
    }

    @Override
    public void resume() {
        plane.accessToken(Json.text(HttpSandboxes.connectCall(plane.transport(), sandboxId(), timeout), "envdAccessToken"));
    }

    @Override
    public boolean kill() {
        return sandboxes.kill(sandboxId());
    }

    @Override
    public boolean isRunning() {
        String what = "check the health of sandbox " + sandboxId();
        Transport.Response r = plane.transport().send(plane.request("/health", DataPlane.ENVD_PORT).GET().build(), what);
        if (r.status == 502) {
            return false;
        }
        if (r.status >= 300) {
            throw Errors.of(r.status, r.json(), what, true);
        }
        return true;
    }

    @Override
    public void updateNetwork(List<String> allowOut, List<String> denyOut) {
        ObjectNode body = Json.object();
        body.set("allowOut", Json.array(allowOut));
        body.set("denyOut", Json.array(denyOut));
        Transport t = plane.transport();
        t.expect(Transport.withJson(t.control("/sandboxes/" + HttpSandboxes.path(sandboxId()) + "/network"), "PUT", body).build(),
                "update the network rules of sandbox " + sandboxId(), false);
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "Sandbox[" + sandboxId() + "]";
    }
}
