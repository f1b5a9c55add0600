/**
 * Persistent, encrypted, versioned workspaces: a tenant's named file trees that outlive the
 * sandboxes they are mounted into.
 *
 * <p>{@link Workspaces} is the port: the service layer checks a version out into a directory
 * before a sandbox starts, and commits that directory back when the sandbox ends or syncs.
 * Content is encrypted under the tenant's data key ({@link io.airlock.core.crypto.DataKeys}),
 * stored by content hash (deduplicated), and every commit that changes something is a new
 * version with its change set.
 */
@NullMarked
package io.airlock.core.workspace;

import org.jspecify.annotations.NullMarked;
