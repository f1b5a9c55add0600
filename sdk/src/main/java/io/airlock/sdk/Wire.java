package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads the server's JSON into the SDK's value types, field names as E2B's specs and Airlock's server spell them. */
final class Wire {
    private Wire() {}

    /** E2B's {@code SandboxDetail} / {@code ListedSandbox}. */
    static SandboxInfo sandbox(JsonNode s) {
        JsonNode network = s.path("network");
        return new SandboxInfo(Json.text(s, "sandboxID"), Json.text(s, "templateID"), Json.stringMap(s, "metadata"),
                "paused".equals(Json.text(s, "state")) ? SandboxState.PAUSED : SandboxState.RUNNING,
                instant(Json.text(s, "startedAt")), instant(Json.text(s, "endAt")), s.path("cpuCount").asInt(),
                s.path("memoryMB").asLong(), s.path("diskSizeMB").asLong(), Json.strings(network, "allowOut"),
                Json.strings(network, "denyOut"));
    }

    /** envd's {@code filesystem.EntryInfo} in proto3 JSON. */
    static EntryInfo entry(JsonNode e) {
        return new EntryInfo(Json.text(e, "name"), entryType(Json.text(e, "type")), Json.text(e, "path"),
                e.path("size").asLong(), e.path("mode").asInt(), Json.text(e, "permissions"), Json.text(e, "owner"),
                Json.text(e, "group"), instant(Json.text(e, "modifiedTime")), Json.text(e, "symlinkTarget"),
                Json.stringMap(e, "metadata"));
    }

    static List<EntryInfo> entries(JsonNode list) {
        List<EntryInfo> out = new ArrayList<>();
        list.forEach(e -> out.add(entry(e)));
        return out;
    }

    static EntryType entryType(String wire) {
        switch (wire) {
            case "FILE_TYPE_FILE":
                return EntryType.FILE;
            case "FILE_TYPE_DIRECTORY":
                return EntryType.DIRECTORY;
            case "FILE_TYPE_SYMLINK":
                return EntryType.SYMLINK;
            default:
                return EntryType.OTHER;
        }
    }

    /** envd's {@code FilesystemEvent}: {@code EVENT_TYPE_CREATE} and so on. */
    static FileEvent fileEvent(JsonNode e) {
        String type = Json.text(e, "type");
        FileEvent.Type t;
        try {
            t = FileEvent.Type.valueOf(type.replaceFirst("^EVENT_TYPE_", "").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            t = FileEvent.Type.UNKNOWN;
        }
        return new FileEvent(Json.text(e, "name"), t);
    }

    /** envd's {@code ProcessInfo}. */
    static ProcessInfo process(JsonNode p) {
        JsonNode config = p.path("config");
        return new ProcessInfo(p.path("pid").asInt(), Json.text(p, "tag"), Json.text(config, "cmd"), Json.strings(config, "args"),
                Json.stringMap(config, "envs"), Json.text(config, "cwd"));
    }

    /** Airlock's {@code GET /v1/sandboxes/{id}/egress}. */
    static EgressAudit egress(String sandboxId, JsonNode a) {
        List<EgressEvent> events = new ArrayList<>();
        for (JsonNode e : a.path("events")) {
            events.add(new EgressEvent(instant(Json.text(e, "at")), Json.text(e, "protocol"), Json.text(e, "name"),
                    Json.text(e, "address"), e.path("port").asInt(), "allow".equals(Json.text(e, "decision")),
                    Json.text(e, "reason"), e.path("bytesOut").asLong(), e.path("bytesIn").asLong()));
        }
        return new EgressAudit(sandboxId, events, Json.strings(a, "proposedAllowOut"));
    }

    static CodeContext context(JsonNode c) {
        return new CodeContext(Json.text(c, "id"), Json.text(c, "language"), Json.text(c, "cwd"));
    }

    /** An RFC 3339 time; {@link Instant#EPOCH} when absent or unreadable. */
    static Instant instant(String text) {
        if (text.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
