package io.airlock.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The durable record that a sandbox exists: {@code $AIRLOCK_HOME/sandboxes/<id>/marker.json}. It is
 * written (and fsynced, with its directory) before any other host resource is created and deleted
 * after the last one is released, so after a crash every resource a sandbox may own can be found
 * from it, and a sandbox whose marker is gone owns nothing.
 *
 * @param id the sandbox id
 * @param tier the runtime that runs it
 * @param incarnation the id of the server process that created it
 * @param createdAt when creation began
 * @param serverPid the host PID of that server process
 */
record ContainerMarker(String id, Tier tier, String incarnation, Instant createdAt, long serverPid) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Writes the marker atomically and durably: to a temporary file, fsync, rename, fsync the directory.
     *
     * @throws RuntimeFailureException if a marker for this id already exists or it cannot be written
     */
    void write(Path marker) {
        Path dir = marker.getParent();
        Path tmp = dir.resolve(marker.getFileName() + ".tmp");
        ObjectNode node = JSON.createObjectNode()
                .put("id", id)
                .put("tier", tier.binary())
                .put("incarnation", incarnation)
                .put("createdAt", createdAt.toString())
                .put("serverPid", serverPid);
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir); // fails if the sandbox already exists
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(JSON.writeValueAsBytes(node)));
                out.force(true);
            }
            Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            throw new RuntimeFailureException("sandbox " + id + " already has a directory at " + dir, e);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot write marker " + marker + ": " + e, e);
        }
    }

    /**
     * Reads a marker; empty if there is none. A marker that cannot be parsed is reported as an
     * exception, so the caller can still reap by directory name.
     */
    static Optional<ContainerMarker> read(Path marker) {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(marker));
            return Optional.of(new ContainerMarker(
                    n.path("id").asText(),
                    Tier.parse("tier", n.path("tier").asText()),
                    n.path("incarnation").asText(),
                    Instant.parse(n.path("createdAt").asText()),
                    n.path("serverPid").asLong()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new RuntimeFailureException("unreadable marker " + marker + ": " + e, e);
        }
    }
}
