package io.airlock.server;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.WorkspaceRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Metadata keys Airlock reads itself, so that users of the official E2B SDKs, which cannot send
 * Airlock's own fields, can still ask for them: {@code airlock.workspace} ({@code NAME},
 * {@code NAME:rw}, {@code NAME@3:ro}). They stay in the metadata, visible like any other label.
 */
public final class ReservedMetadata {
    public static final String WORKSPACE = "airlock.workspace";

    private ReservedMetadata() {}

    /** The workspace named in {@code metadata}, or {@code explicit}; naming it both ways is refused. */
    public static @Nullable WorkspaceRequest workspace(@Nullable Map<String, String> metadata, @Nullable WorkspaceRequest explicit) {
        String text = metadata == null ? null : metadata.get(WORKSPACE);
        if (text == null) {
            return explicit;
        }
        if (explicit != null) {
            throw new InvalidRequestException("workspace", "given both as a field and as metadata '" + WORKSPACE + "'; use one");
        }
        return WorkspaceRequest.parse("metadata." + WORKSPACE, text);
    }
}
