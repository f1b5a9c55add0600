package io.airlock.sdk;

import io.airlock.server.TestArchives;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Workspaces} against the real server (no sandboxes needed). */
class WorkspacesTest {
    @TempDir
    Path tmp;

    private final Workspaces ws = TestAirlock.shared().client().workspaces();

    @Test
    void lifecycle_uploadVersionsDiffRestoreDownloadDelete() throws Exception {
        String name = "sdk-" + System.nanoTime();
        WorkspaceInfo created = ws.create(name);
        assertThat(created.head()).isZero();
        assertThat(ws.list()).extracting(WorkspaceInfo::name).contains(name);

        WorkspaceCommit first = ws.upload(name, new ByteArrayInputStream(TestArchives.tar(Map.of("a.txt", "one", "b/c.txt", "see"))));
        assertThat(first.outcome()).isEqualTo("committed");
        assertThat(first.version().number()).isEqualTo(1);
        Path archive = Files.write(tmp.resolve("two.tar"), TestArchives.tar(Map.of("a.txt", "two")));
        assertThat(ws.upload(name, archive).version().number()).isEqualTo(2);
        assertThat(ws.upload(name, archive).outcome()).isEqualTo("unchanged");
        assertThat(ws.upload(name, archive).version()).isNull();

        assertThat(ws.get(name).head()).isEqualTo(2);
        assertThat(ws.get(name).files()).isEqualTo(1);
        assertThat(ws.versions(name)).extracting(WorkspaceVersion::number).containsExactly(2, 1);
        assertThat(ws.versions(name).get(0).changes()).isNull();
        WorkspaceVersion v2 = ws.version(name, 2);
        assertThat(v2.origin()).isEqualTo("upload");
        assertThat(v2.changes()).contains(new WorkspaceChange("a.txt", "modified", "file", 3),
                new WorkspaceChange("b/c.txt", "deleted", "file", 3));
        assertThat(ws.diff(name, 0, 1)).extracting(WorkspaceChange::path).containsExactly("a.txt", "b", "b/c.txt");

        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ws.download(name, 0, head);
        assertThat(TestArchives.untar(head.toByteArray())).isEqualTo(Map.of("a.txt", "two"));
        Path v1 = tmp.resolve("v1.tar.gz");
        ws.download(name, 1, v1);
        assertThat(TestArchives.untar(Files.readAllBytes(v1))).isEqualTo(Map.of("a.txt", "one", "b/c.txt", "see"));

        WorkspaceCommit restored = ws.restore(name, 1);
        assertThat(restored.outcome()).isEqualTo("committed");
        assertThat(restored.version().origin()).isEqualTo("restore:1");

        ws.delete(name);
        assertThatThrownBy(() -> ws.get(name)).isInstanceOf(NotFoundException.class).hasMessageContaining(name);
        assertThatThrownBy(() -> ws.download(name, 0, tmp.resolve("gone.tar.gz"))).isInstanceOf(NotFoundException.class);
        assertThat(tmp.resolve("gone.tar.gz")).doesNotExist();
    }

    @Test
    void badInput_isAnInvalidRequest() throws Exception {
        assertThatThrownBy(() -> ws.create("no/slashes")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("name");
        String name = "sdk-bad-" + System.nanoTime();
        ws.create(name);
        assertThatThrownBy(() -> ws.upload(name, new ByteArrayInputStream(TestArchives.tar(Map.of("../evil", "x")))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'../evil'");
        assertThat(ws.versions(name)).isEmpty();
    }

    @Test
    void sandboxSpec_workspace_setsTheReservedMetadataKey() {
        assertThat(SandboxSpec.builder().workspace("proj").build().metadata()).containsEntry("airlock.workspace", "proj");
        assertThat(SandboxSpec.builder().workspace("proj", true).metadata(Map.of("user", "a")).build().metadata())
                .isEqualTo(Map.of("airlock.workspace", "proj:rw", "user", "a"));
        assertThatThrownBy(() -> SandboxSpec.builder().workspace("a:b")).isInstanceOf(IllegalArgumentException.class);
    }
}
