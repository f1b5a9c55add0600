package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link Workspaces} over {@code /v1/workspaces}. */
final class HttpWorkspaces implements Workspaces {
    /** Archives may be large: their requests get longer than the usual request timeout. */
    private static final Duration ARCHIVE_TIMEOUT = Duration.ofMinutes(30);

    private final Transport transport;

    HttpWorkspaces(Transport transport) {
        this.transport = transport;
    }

    private static String path(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("workspace name is blank");
        }
        return "/v1/workspaces/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode get(String pathAndQuery, String what) {
        return transport.expect(transport.control(pathAndQuery).GET().build(), what, false).json();
    }

    @Override
    public WorkspaceInfo create(String name) {
        if (name == null) {
            throw new IllegalArgumentException("workspace name is null");
        }
        JsonNode body = Json.object().put("name", name);
        return info(transport.expect(Transport.withJson(transport.control("/v1/workspaces"), "POST", body).build(),
                "create workspace " + name, false).json());
    }

    @Override
    public List<WorkspaceInfo> list() {
        List<WorkspaceInfo> out = new ArrayList<>();
        for (JsonNode w : get("/v1/workspaces", "list workspaces")) {
            out.add(info(w));
        }
        return out;
    }

    @Override
    public WorkspaceInfo get(String name) {
        return info(get(path(name), "get workspace " + name));
    }

    @Override
    public void delete(String name) {
        transport.expect(transport.control(path(name)).DELETE().build(), "delete workspace " + name, false);
    }

    @Override
    public List<WorkspaceVersion> versions(String name) {
        List<WorkspaceVersion> out = new ArrayList<>();
        for (JsonNode v : get(path(name) + "/versions", "list versions of workspace " + name)) {
            out.add(version(v));
        }
        return out;
    }

    @Override
    public WorkspaceVersion version(String name, int number) {
        return version(get(path(name) + "/versions/" + number, "get version " + number + " of workspace " + name));
    }

    @Override
    public List<WorkspaceChange> diff(String name, int from, int to) {
        return changes(get(path(name) + "/diff?from=" + from + "&to=" + to, "diff workspace " + name).path("changes"));
    }

    @Override
    public WorkspaceCommit restore(String name, int number) {
        return commit(transport.expect(transport.control(path(name) + "/versions/" + number + "/restore")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), "restore version " + number + " of workspace " + name, false).json());
    }

    @Override
    public void download(String name, int version, OutputStream out) {
        String what = "download workspace " + name;
        try (InputStream in = transport.stream(transport.control(path(name) + "/archive?version=" + version)
                .timeout(ARCHIVE_TIMEOUT).header("Accept", "application/gzip").GET().build(), what, false)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new AirlockException(what + " failed while reading: " + e.getMessage(), 0, e);
        }
    }

    @Override
    public void download(String name, int version, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".part");
            try {
                try (OutputStream out = Files.newOutputStream(temp)) {
                    download(name, version, out);
                }
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public WorkspaceCommit upload(String name, InputStream archive) {
        InputStream unclosed = new java.io.FilterInputStream(archive) {
            @Override
            public void close() {
                // the caller's stream
            }
        };
        return upload(name, HttpRequest.BodyPublishers.ofInputStream(() -> unclosed));
    }

    @Override
    public WorkspaceCommit upload(String name, Path archive) {
        try {
            return upload(name, HttpRequest.BodyPublishers.ofFile(archive));
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    private WorkspaceCommit upload(String name, HttpRequest.BodyPublisher body) {
        return commit(transport.expect(transport.control(path(name) + "/archive").timeout(ARCHIVE_TIMEOUT)
                .header("Content-Type", "application/octet-stream").PUT(body).build(), "upload to workspace " + name, false).json());
    }

    private static WorkspaceInfo info(JsonNode w) {
        return new WorkspaceInfo(Json.text(w, "name"), w.path("head").asInt(), Wire.instant(Json.text(w, "createdAt")),
                w.path("files").asInt(), w.path("bytes").asLong());
    }

    private static WorkspaceVersion version(JsonNode v) {
        return new WorkspaceVersion(v.path("number").asInt(), v.path("parent").asInt(), Wire.instant(Json.text(v, "createdAt")),
                Json.text(v, "origin"), v.path("conflict").asBoolean(), v.path("files").asInt(), v.path("bytes").asLong(),
                v.has("changes") ? changes(v.get("changes")) : null, Json.strings(v, "conflicts"));
    }

    private static List<WorkspaceChange> changes(JsonNode array) {
        List<WorkspaceChange> out = new ArrayList<>();
        for (JsonNode c : array) {
            out.add(new WorkspaceChange(Json.text(c, "path"), Json.text(c, "kind"), Json.text(c, "type"), c.path("size").asLong()));
        }
        return out;
    }

    private static WorkspaceCommit commit(JsonNode c) {
        return new WorkspaceCommit(Json.text(c, "outcome"), c.has("version") ? version(c.get("version")) : null,
                Json.strings(c, "conflicts"));
    }
}
