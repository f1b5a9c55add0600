package io.airlock.core;

import org.jspecify.annotations.Nullable;

/**
 * A workspace to mount into a new sandbox, at {@code <default user's home>/workspace}.
 *
 * @param name the workspace's name (the owner's own; another tenant's is not found)
 * @param readWrite whether the sandbox may change it; its changes are committed when it ends or syncs
 * @param version the version to check out, or {@code null} for the head
 */
public record WorkspaceRequest(String name, boolean readWrite, @Nullable Integer version) {
    public WorkspaceRequest {
        if (name.isBlank()) {
            throw new InvalidRequestException("workspace.name", "required: the name of one of your workspaces");
        }
        if (version != null && version < 0) {
            throw new InvalidRequestException("workspace.version", "must be a version number (1, 2, …) or absent for the head");
        }
    }

    /**
     * Parses the E2B metadata form: {@code name}, {@code name:rw} or {@code name:ro}, optionally
     * with {@code @<version>} after the name ({@code data@3:ro}).
     */
    public static WorkspaceRequest parse(String field, String text) {
        String spec = text.strip();
        boolean rw = false;
        int colon = spec.lastIndexOf(':');
        if (colon >= 0) {
            String mode = spec.substring(colon + 1);
            if (!mode.equals("rw") && !mode.equals("ro")) {
                throw new InvalidRequestException(field, "'" + mode + "' is not a mode; write NAME, NAME:ro or NAME:rw");
            }
            rw = mode.equals("rw");
            spec = spec.substring(0, colon);
        }
        Integer version = null;
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            try {
                version = Integer.parseInt(spec.substring(at + 1));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(field, "'" + spec.substring(at + 1) + "' is not a version number; write NAME@3");
            }
            spec = spec.substring(0, at);
        }
        if (spec.isEmpty()) {
            throw new InvalidRequestException(field, "names no workspace; write NAME, NAME:rw or NAME@3:ro");
        }
        return new WorkspaceRequest(spec, rw, version);
    }
}
