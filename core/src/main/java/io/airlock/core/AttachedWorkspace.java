package io.airlock.core;

import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.Workspaces;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A workspace checked out into a sandbox's scratch volume, from mount to final commit.
 *
 * <p>Commits read the volume only while no sandbox process can run: {@link #sync} is handed a
 * freeze and a thaw, and {@link #end()} runs after the sandbox is dead. The checkout's base moves
 * to each version the volume is known to equal, so the next commit merges against the right
 * ancestor.
 */
final class AttachedWorkspace {
    private static final Logger log = LoggerFactory.getLogger(AttachedWorkspace.class);

    private final Workspaces workspaces;
    private final ScratchVolume volume;
    private final String sandboxId;
    private final CompletableFuture<CommitResult> ended = new CompletableFuture<>();
    private Checkout checkout; // guarded by this

    AttachedWorkspace(Workspaces workspaces, ScratchVolume volume, Checkout checkout, String sandboxId) {
        this.workspaces = workspaces;
        this.volume = volume;
        this.checkout = checkout;
        this.sandboxId = sandboxId;
        label();
    }

    /**
     * Labels a read-write volume with what a later server needs to commit it after a crash:
     * which workspace, and the base its content derives from.
     */
    private void label() {
        if (checkout.readWrite()) {
            volume.label(java.util.Map.of(KIND, "workspace", "sandbox", sandboxId, "tenant", checkout.tenant(),
                    "workspaceId", checkout.workspaceId(), "name", checkout.name(), "base", Integer.toString(checkout.base())));
        }
    }

    static final String KIND = "kind";

    /**
     * Commits what a crashed server's sandbox left in its volume, then discards the volume. Its
     * sandbox was reaped before this runs, so nothing writes the volume any more.
     */
    static void salvage(Workspaces workspaces, ScratchVolume volume) {
        try {
            var l = volume.labels();
            if ("workspace".equals(l.get(KIND))) {
                Checkout c = new Checkout(l.get("workspaceId"), l.get("tenant"), l.get("name"), Integer.parseInt(l.get("base")), true);
                CommitResult r = workspaces.commit(c, volume.path(), "recovered:sandbox:" + l.get("sandbox"));
                log.atWarn().addKeyValue("sandbox", l.get("sandbox")).addKeyValue("workspace", c.name())
                        .addKeyValue("outcome", r.outcome()).addKeyValue("version", r.version() == null ? null : r.version().number())
                        .log("committed the workspace of a sandbox an earlier server left running");
            }
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("volume", volume.path())
                    .log("could not commit a workspace an earlier server left; its changes are lost");
        } finally {
            volume.close();
        }
    }

    /** The host directory the sandbox gets bind-mounted. */
    java.nio.file.Path volume() {
        return volume.path();
    }

    /** Releases the volume without committing: the sandbox never started. */
    void discard() {
        volume.close();
        ended.complete(CommitResult.unchanged());
    }

    synchronized Checkout checkout() {
        return checkout;
    }

    /** Commits what the sandbox has written so far, with the sandbox frozen for the read. */
    synchronized CommitResult sync(Runnable freeze, Runnable thaw) {
        if (!checkout.readWrite()) {
            throw new SandboxStateException("sandbox " + sandboxId + " has workspace '" + checkout.name()
                    + "' read-only; there is nothing to sync. Create the sandbox with the workspace read-write to commit changes");
        }
        if (ended.isDone()) {
            throw new SandboxStateException("sandbox " + sandboxId + " has ended; its workspace was committed then");
        }
        freeze.run();
        try {
            return commit();
        } finally {
            thaw.run();
        }
    }

    /**
     * After the sandbox died: commits a read-write checkout, then discards the volume. Never throws;
     * a failed commit is logged and completes {@link #ended()} exceptionally.
     *
     * @param quiescent whether every process of the sandbox is known to be gone; if not (its
     *     teardown failed), the volume is not read at all: a live writer could race the walk
     */
    synchronized void end(boolean quiescent) {
        if (ended.isDone()) {
            return;
        }
        if (!quiescent && checkout.readWrite()) {
            RuntimeFailureException e = new RuntimeFailureException("the teardown of sandbox " + sandboxId
                    + " did not complete, so its processes may still run; its workspace was not read or committed");
            log.atError().addKeyValue("sandbox", sandboxId).addKeyValue("workspace", checkout.name()).log(e.getMessage());
            ended.completeExceptionally(e);
            volume.close();
            return;
        }
        try {
            ended.complete(checkout.readWrite() ? commit() : CommitResult.unchanged());
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("sandbox", sandboxId).addKeyValue("workspace", checkout.name())
                    .log("could not commit the workspace of an ended sandbox; its changes are lost");
            ended.completeExceptionally(e);
        } finally {
            volume.close();
        }
    }

    /** The final commit, once the sandbox has ended. */
    CompletableFuture<CommitResult> ended() {
        return ended;
    }

    private CommitResult commit() {
        CommitResult r = workspaces.commit(checkout, volume.path(), "sandbox:" + sandboxId);
        if (r.treeVersion() != null) {
            // The volume now equals that version, so later changes are judged against it.
            checkout = new Checkout(checkout.workspaceId(), checkout.tenant(), checkout.name(), r.treeVersion(), true);
            label();
        }
        log.atInfo().addKeyValue("sandbox", sandboxId).addKeyValue("workspace", checkout.name())
                .addKeyValue("outcome", r.outcome()).addKeyValue("version", r.version() == null ? null : r.version().number())
                .log("workspace committed");
        return r;
    }
}
