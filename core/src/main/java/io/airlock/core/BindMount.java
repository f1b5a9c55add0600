package io.airlock.core;

import java.nio.file.Path;
import java.util.List;

/**
 * A host directory the service layer mounts into a sandbox (a workspace checkout). Only the
 * service creates these, from directories it made itself; users name a workspace, never a path.
 *
 * @param source the host directory
 * @param destination absolute, normalised path in the sandbox, outside the kernel's file systems
 * @param readOnly whether the sandbox sees it read-only
 */
public record BindMount(Path source, String destination, boolean readOnly) {
    private static final List<String> RESERVED = List.of("/proc", "/sys", "/dev", "/.airlock", "/tmp");

    public BindMount {
        if (!destination.startsWith("/") || destination.equals("/") || destination.contains("//")
                || destination.endsWith("/") || destination.contains("/./") || destination.contains("/../")
                || destination.endsWith("/..") || destination.endsWith("/.")) {
            throw new InvalidRequestException("mount", "destination '" + destination + "' must be an absolute, normalised path other than /");
        }
        for (String r : RESERVED) {
            if (destination.equals(r) || destination.startsWith(r + "/")) {
                throw new InvalidRequestException("mount", "destination '" + destination + "' is under " + r + ", which Airlock owns");
            }
        }
    }
}
