package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link WatchHandle} over one {@code WatchDir} stream: the {@code start} message is awaited on
 * the caller's thread (so the watch is in place when {@code watch} returns), then events go to the
 * callback on a daemon thread until the handle is closed or the stream ends.
 */
final class FileWatch implements WatchHandle {
    private final Envelopes stream;
    private final String what;
    private final Consumer<FileEvent> onEvent;
    private final Thread thread;
    private volatile boolean closed;

    private FileWatch(Envelopes stream, String what, Consumer<FileEvent> onEvent) {
        this.stream = stream;
        this.what = what;
        this.onEvent = onEvent;
        this.thread = new Thread(this::read, "airlock-watch-reader");
        this.thread.setDaemon(true);
    }

    static FileWatch open(Envelopes stream, String what, Consumer<FileEvent> onEvent) {
        try {
            Optional<JsonNode> first = stream.next();
            if (first.isEmpty() || !first.get().has("start")) {
                throw new SandboxException(what + ": the watch stream did not start with a start message", 0);
            }
        } catch (IOException e) {
            stream.close();
            throw new SandboxException(what + ": " + e.getMessage(), 0, e);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        FileWatch w = new FileWatch(stream, what, onEvent);
        w.thread.start();
        return w;
    }

    private void read() {
        try {
            for (Optional<JsonNode> m = stream.next(); m.isPresent() && !closed; m = stream.next()) {
                JsonNode event = m.get().path("filesystem");
                if (event.isObject()) {
                    onEvent.accept(Wire.fileEvent(event));
                }
            }
        } catch (IOException | AirlockException e) {
            // closed by the caller, or the sandbox ended: either way the watch is over
        } finally {
            stream.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        stream.close();
        thread.interrupt();
    }

    @Override
    public String toString() {
        return "WatchHandle[" + what + (closed ? ", closed" : "") + "]";
    }
}
