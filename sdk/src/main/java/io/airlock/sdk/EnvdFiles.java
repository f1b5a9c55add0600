package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** {@link SandboxFiles} over envd's {@code /files} (content) and {@code filesystem.Filesystem} (everything else). */
final class EnvdFiles implements SandboxFiles {
    static final String SERVICE = "filesystem.Filesystem/";
    private static final String USER = RunOptions.DEFAULT_USER;

    private final DataPlane plane;

    EnvdFiles(DataPlane plane) {
        this.plane = plane;
    }

    @Override
    public void write(String path, String text) {
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void write(String path, byte[] data) {
        plane.upload(path, USER, HttpRequest.BodyPublishers.ofByteArray(data), what("write", path));
    }

    @Override
    public void write(String path, InputStream data) {
        try (InputStream in = data) {
            plane.upload(path, USER, HttpRequest.BodyPublishers.ofInputStream(() -> in), what("write", path));
        } catch (IOException e) {
            throw new UncheckedIOException(what("write", path) + ": closing the source stream failed", e);
        }
    }

    @Override
    public byte[] readBytes(String path) {
        try (InputStream in = readStream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw Errors.io(e, what("read", path), plane.transport().config().requestTimeout());
        }
    }

    @Override
    public String readString(String path) {
        return new String(readBytes(path), StandardCharsets.UTF_8);
    }

    @Override
    public InputStream readStream(String path) {
        return plane.download(path, USER, what("read", path));
    }

    @Override
    public List<EntryInfo> list(String path) {
        ObjectNode request = Json.object().put("path", path).put("depth", 1);
        return Wire.entries(unary("ListDir", request, what("list", path)).path("entries"));
    }

    @Override
    public EntryInfo stat(String path) {
        return Wire.entry(unary("Stat", Json.object().put("path", path), what("stat", path)).path("entry"));
    }

    @Override
    public boolean exists(String path) {
        try {
            stat(path);
            return true;
        } catch (NotFoundException e) {
            if (e.status() == 502) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public boolean makeDir(String path) {
        try {
            unary("MakeDir", Json.object().put("path", path), what("create directory", path));
            return true;
        } catch (ConflictException e) {
            return false;
        }
    }

    @Override
    public EntryInfo move(String from, String to) {
        ObjectNode request = Json.object().put("source", from).put("destination", to);
        return Wire.entry(unary("Move", request, what("move", from) + " to " + to).path("entry"));
    }

    @Override
    public void remove(String path) {
        unary("Remove", Json.object().put("path", path), what("remove", path));
    }

    @Override
    public WatchHandle watch(String path, Consumer<FileEvent> onEvent) {
        ObjectNode request = Json.object().put("path", path).put("recursive", false);
        String what = what("watch", path);
        Envelopes stream = plane.stream(SERVICE + "WatchDir", request, USER, Duration.ZERO, what);
        return FileWatch.open(stream, what, onEvent);
    }

    private JsonNode unary(String method, ObjectNode request, String what) {
        return plane.unary(SERVICE + method, request, USER, what);
    }

    private String what(String verb, String path) {
        return verb + " " + path + " in sandbox " + plane.sandboxId();
    }
}
