package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.EntryInfo;
import io.airlock.core.FileEvent;
import io.airlock.core.FileWatch;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFiles;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStateException;
import io.javalin.config.RoutesConfig;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * envd's {@code filesystem.Filesystem} service: stat, list, make, move and remove entries inside
 * a sandbox, and watch directories, either as a stream ({@code WatchDir}) or through polled
 * watchers ({@code CreateWatcher} and friends, see {@link Watchers}). Every operation runs as the
 * call's user; relative paths are relative to that user's home.
 */
final class FilesystemRpc {
    static final String SERVICE = "filesystem.Filesystem";

    private final SandboxService sandboxes;
    private final EnvdAccess access;
    private final InstantSource clock;
    private final Connect connect;
    private final Watchers watchers;

    FilesystemRpc(SandboxService sandboxes, EnvdAccess access, InstantSource clock) {
        this.sandboxes = sandboxes;
        this.access = access;
        this.clock = clock;
        this.connect = new Connect(clock, ctx -> EnvdCall.resolve(ctx, sandboxes, access, true));
        this.watchers = new Watchers(sandboxes, clock);
    }

    void routes(RoutesConfig r) {
        connect.unary(r, SERVICE, "Stat", (call, req) -> withEntry(files(call).stat(path(req, "path"), call.user())));
        connect.unary(r, SERVICE, "MakeDir", (call, req) -> withEntry(files(call).makeDir(path(req, "path"), call.user())));
        connect.unary(r, SERVICE, "Move", (call, req) ->
                withEntry(files(call).move(path(req, "source"), path(req, "destination"), call.user())));
        connect.unary(r, SERVICE, "ListDir", this::listDir);
        connect.unary(r, SERVICE, "Remove", (call, req) -> {
            files(call).remove(path(req, "path"), call.user());
            return ProtoJson.object();
        });
        connect.serverStream(r, SERVICE, "WatchDir", this::watchDir);
        connect.unary(r, SERVICE, "CreateWatcher", this::createWatcher);
        connect.unary(r, SERVICE, "GetWatcherEvents", this::getWatcherEvents);
        connect.unary(r, SERVICE, "RemoveWatcher", this::removeWatcher);
    }

    private SandboxFiles files(EnvdCall call) {
        return sandboxes.files(call.sandboxId());
    }

    private static String path(ProtoReader req, String field) {
        String p = req.string(field);
        if (p.isEmpty()) {
            throw ConnectException.invalidArgument("field '" + field + "' is required: a path in the sandbox, absolute or relative to"
                    + " the user's home");
        }
        return p;
    }

    private static ObjectNode withEntry(EntryInfo entry) {
        ObjectNode o = ProtoJson.object();
        o.set("entry", EntryJson.of(entry));
        return o;
    }

    private ObjectNode listDir(EnvdCall call, ProtoReader req) {
        long depth = req.uint32("depth");
        if (depth == 0) {
            depth = 1;
        }
        int levels = (int) Math.min(depth, Integer.MAX_VALUE);
        List<EntryInfo> entries = files(call).list(path(req, "path"), levels, call.user());
        ObjectNode o = ProtoJson.object();
        ArrayNode list = o.putArray("entries");
        entries.forEach(e -> list.add(EntryJson.of(e)));
        return o;
    }

    // ---- watching ----

    private void watchDir(EnvdCall call, ProtoReader req, ConnectStream stream) throws Exception {
        String path = path(req, "path");
        boolean includeEntry = req.bool("includeEntry");
        try (FileWatch watch = files(call).watch(path, req.bool("recursive"), call.user())) {
            stream.send(ProtoJson.empty("start"));
            while (true) {
                if (stream.expired()) {
                    throw new ConnectException(ConnectCode.DEADLINE_EXCEEDED, "the call's deadline (Connect-Timeout-Ms) passed; the watch of "
                            + path + " ended");
                }
                Optional<FileEvent> event;
                try {
                    event = watch.next(stream.waitTime());
                } catch (SandboxStateException e) {
                    if (!alive(call.sandboxId())) {
                        stream.abort("sandbox " + call.sandboxId() + " was killed or reached its end of life during the watch of " + path);
                        return;
                    }
                    throw e;
                }
                if (event.isPresent()) {
                    ObjectNode message = ProtoJson.object();
                    message.set("filesystem", event(call, path, includeEntry, event.get()));
                    stream.send(message);
                } else if (stream.keepaliveDue()) {
                    stream.send(ProtoJson.empty("keepalive"));
                }
            }
        }
    }

    private ObjectNode createWatcher(EnvdCall call, ProtoReader req) {
        String path = path(req, "path");
        FileWatch watch = files(call).watch(path, req.bool("recursive"), call.user());
        Watchers.Watcher w = watchers.add(call.sandboxId(), path, call.user(), req.bool("includeEntry"), watch);
        ObjectNode o = ProtoJson.object();
        o.put("watcherId", w.id);
        return o;
    }

    private ObjectNode getWatcherEvents(EnvdCall call, ProtoReader req) throws InterruptedException {
        Watchers.Watcher w = watchers.get(call.sandboxId(), watcherId(req));
        List<FileEvent> events;
        try {
            events = w.drain(clock.instant());
        } catch (IllegalStateException e) {
            throw ConnectException.notFound("watcher '" + w.id + "' was removed");
        } catch (RuntimeException e) {
            // the watch failed (its sandbox died, or the agent ended it): report once, then it is gone
            watchers.remove(w);
            throw e;
        }
        ObjectNode o = ProtoJson.object();
        ArrayNode list = o.putArray("events");
        for (FileEvent e : events) {
            list.add(event(call, w.path, w.includeEntry, e));
        }
        return o;
    }

    private ObjectNode removeWatcher(EnvdCall call, ProtoReader req) {
        watchers.remove(watchers.get(call.sandboxId(), watcherId(req)));
        return ProtoJson.object();
    }

    private static String watcherId(ProtoReader req) {
        String id = req.string("watcherId");
        if (id.isEmpty()) {
            throw ConnectException.invalidArgument("field 'watcherId' is required: the id CreateWatcher returned");
        }
        return id;
    }

    /** A {@code FilesystemEvent}; with the entry's info when asked for and it can still be stat-ed. */
    private ObjectNode event(EnvdCall call, String watchedPath, boolean includeEntry, FileEvent e) {
        ObjectNode o = ProtoJson.object();
        o.put("name", e.name());
        o.put("type", "EVENT_TYPE_" + e.type().name());
        if (includeEntry && e.type() != FileEvent.Type.REMOVE && e.type() != FileEvent.Type.RENAME) {
            try {
                String path = watchedPath.endsWith("/") ? watchedPath + e.name() : watchedPath + "/" + e.name();
                o.set("entry", EntryJson.of(files(call).stat(path, call.user())));
            } catch (SandboxFileException gone) {
                // removed again before we looked: the event stands without its entry
            }
        }
        return o;
    }

    private boolean alive(String sandboxId) {
        try {
            sandboxes.get(sandboxId);
            return true;
        } catch (SandboxNotFoundException e) {
            return false;
        }
    }
}
