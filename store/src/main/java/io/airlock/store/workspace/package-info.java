/**
 * The workspace store: {@link io.airlock.core.workspace.Workspaces} over the database and sealed,
 * content-addressed blobs on disk. Only {@link io.airlock.store.workspace.WorkspaceStore} is public.
 */
@NullMarked
package io.airlock.store.workspace;

import org.jspecify.annotations.NullMarked;
