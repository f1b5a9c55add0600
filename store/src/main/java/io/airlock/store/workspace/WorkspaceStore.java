package io.airlock.store.workspace;

import io.airlock.core.crypto.DataKeys;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;
import java.nio.file.Path;
import java.time.InstantSource;
import org.jdbi.v3.core.Jdbi;

/** Opens the workspace store; use {@link io.airlock.store.Store#workspaces}. */
public final class WorkspaceStore {
    private WorkspaceStore() {}

    /**
     * Workspaces whose rows live in {@code jdbi}'s database (migrated) and whose sealed content
     * lives under {@code root} (created 0700 if missing). Removes what a crash left behind first.
     */
    public static Workspaces open(Jdbi jdbi, Path root, DataKeys dataKeys, WorkspaceLimits limits, InstantSource clock) {
        try {
            java.nio.file.Files.createDirectories(root, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (java.io.IOException e) {
            throw new io.airlock.core.AirlockException("cannot create the workspace directory " + root + ": " + e.getMessage(), e);
        }
        SqlWorkspaces w = new SqlWorkspaces(jdbi, root, dataKeys, limits, clock);
        w.recover();
        return w;
    }
}
