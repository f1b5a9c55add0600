package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.Workspace;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.WorkspaceVersion;
import io.airlock.core.workspace.Workspaces;
import io.airlock.testing.FakeClock;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service's side of workspaces, at the port boundary: what is mounted where, when commits
 * happen and against which base, and that a volume is never read while the sandbox may still run.
 */
class AttachedWorkspaceTest {
    private final StubRuntime runtime = new StubRuntime();
    private final FakeWorkspaces workspaces = new FakeWorkspaces();
    private final DefaultSandboxService service = new DefaultSandboxService(runtime, runtime,
            SandboxPolicy.standard().withPoolSizes(Map.of()), FakeClock.create(), SandboxQuotas.unlimited(), SandboxListener.none(),
            io.airlock.core.egress.EgressSettings.none(io.airlock.core.egress.EgressAudits.inMemory()), workspaces,
            WorkspaceLimits.standard());

    /** Checks out version 3 of anything; each commit answers the next version number, committed. */
    static final class FakeWorkspaces implements Workspaces {
        record Commit(Checkout checkout, Path dir, String origin) {}

        final List<Commit> commits = new CopyOnWriteArrayList<>();
        volatile int next = 4;

        @Override
        public Checkout checkout(String tenant, String name, @Nullable Integer version, boolean readWrite, Path target, int uid, int gid) {
            return new Checkout("w_1", tenant, name, version == null ? 3 : version, readWrite);
        }

        @Override
        public CommitResult commit(Checkout checkout, Path dir, String origin) {
            commits.add(new Commit(checkout, dir, origin));
            int n = next++;
            return new CommitResult(CommitResult.Outcome.COMMITTED,
                    new WorkspaceVersion(n, checkout.base(), Instant.EPOCH, origin, false, 0, 0, null, List.of()), List.of());
        }

        @Override public Workspace create(String tenant, String name) { throw new UnsupportedOperationException(); }
        @Override public List<Workspace> list(String tenant) { throw new UnsupportedOperationException(); }
        @Override public Workspace get(String tenant, String name) { throw new UnsupportedOperationException(); }
        @Override public void delete(String tenant, String name) { throw new UnsupportedOperationException(); }
        @Override public List<WorkspaceVersion> versions(String tenant, String name) { throw new UnsupportedOperationException(); }
        @Override public WorkspaceVersion version(String tenant, String name, int number) { throw new UnsupportedOperationException(); }
        @Override public List<Change> diff(String tenant, String name, int from, int to) { throw new UnsupportedOperationException(); }
        @Override public CommitResult restore(String tenant, String name, int number) { throw new UnsupportedOperationException(); }
        @Override public void exportArchive(String tenant, String name, int number, OutputStream out) { throw new UnsupportedOperationException(); }
        @Override public CommitResult importArchive(String tenant, String name, InputStream archive) { throw new UnsupportedOperationException(); }
    }

    @AfterEach
    void close() {
        service.close();
    }

    @Test
    void readWrite_mountsAtTheUsersHome_commitsAgainstItsBaseOnKill_thenDiscardsTheVolume() {
        String id = service.create(SandboxRequest.of("base").withOwner("t1").withWorkspace(new WorkspaceRequest("w", true, null))).id();

        SandboxPlan plan = runtime.started.getLast();
        StubRuntime.Volume volume = runtime.volumes.getLast();
        assertThat(plan.mounts()).containsExactly(new BindMount(volume.path(), "/home/user/workspace", false));
        assertThat(volume.labels()).containsEntry("base", "3").containsEntry("tenant", "t1").containsEntry("sandbox", id);

        CommitResult r = service.killAndCommit(id).orElseThrow();

        assertThat(r.version().number()).isEqualTo(4);
        assertThat(workspaces.commits).singleElement().satisfies(c -> {
            assertThat(c.checkout().base()).isEqualTo(3);
            assertThat(c.dir()).isEqualTo(volume.path());
            assertThat(c.origin()).isEqualTo("sandbox:" + id);
        });
        assertThat(volume.closed).isTrue();
    }

    @Test
    void readOnly_isMountedReadOnly_neverCommitted_andNotLabelled() {
        String id = service.create(SandboxRequest.of("base").withOwner("t1").withWorkspace(new WorkspaceRequest("w", false, 2))).id();

        assertThat(runtime.started.getLast().mounts().getFirst().readOnly()).isTrue();
        assertThat(service.workspace(id).orElseThrow().base()).isEqualTo(2);
        assertThat(service.killAndCommit(id)).isEmpty();
        assertThat(workspaces.commits).isEmpty();
        assertThat(runtime.volumes.getLast().labels()).isEmpty();
        assertThat(runtime.volumes.getLast().closed).isTrue();
    }

    @Test
    void sync_freezesForTheRead_andTheNextCommitIsAgainstTheSyncedVersion() {
        String id = service.create(SandboxRequest.of("base").withOwner("t1").withWorkspace(new WorkspaceRequest("w", true, null))).id();

        assertThat(service.syncWorkspace(id).version().number()).isEqualTo(4);
        assertThat(runtime.freezes).containsExactly("pause " + id, "resume " + id);
        assertThat(runtime.volumes.getLast().labels()).containsEntry("base", "4");
        service.killAndCommit(id);

        assertThat(workspaces.commits).extracting(c -> c.checkout().base()).containsExactly(3, 4);
    }

    @Test
    void aSandboxWhoseTeardownFailed_isNeverRead() {
        String id = service.create(SandboxRequest.of("base").withOwner("t1").withWorkspace(new WorkspaceRequest("w", true, null))).id();
        runtime.quiescent = false;

        assertThatThrownBy(() -> service.killAndCommit(id)).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("was not read or committed");
        assertThat(workspaces.commits).isEmpty();
        assertThat(runtime.volumes.getLast().closed).isTrue();
    }

    @Test
    void leftoverVolumes_ofACrashedServer_areCommittedAtStart_withTheirLabelledBase() throws Exception {
        StubRuntime.Volume left = new StubRuntime.Volume(java.nio.file.Files.createTempDirectory("left"));
        left.label(Map.of("kind", "workspace", "sandbox", "sbxold", "tenant", "t9", "workspaceId", "w_9", "name", "kept", "base", "7"));
        StubRuntime.Volume unlabelled = new StubRuntime.Volume(java.nio.file.Files.createTempDirectory("left"));
        runtime.leftovers.addAll(List.of(left, unlabelled));

        service.start();

        assertThat(workspaces.commits).singleElement().satisfies(c -> {
            assertThat(c.checkout()).isEqualTo(new Checkout("w_9", "t9", "kept", 7, true));
            assertThat(c.origin()).isEqualTo("recovered:sandbox:sbxold");
        });
        assertThat(left.closed).isTrue();
        assertThat(unlabelled.closed).isTrue();
    }

    @Test
    void aWorkspaceNeedsAnOwner() {
        assertThatThrownBy(() -> service.create(SandboxRequest.of("base").withWorkspace(new WorkspaceRequest("w", true, null))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no owner");
        assertThat(runtime.volumes).isEmpty();
    }
}
