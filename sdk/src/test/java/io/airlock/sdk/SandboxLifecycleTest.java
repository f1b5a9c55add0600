package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sandboxes through the SDK against a real server: create, inspect, list, time out, pause, connect, kill. */
@Timeout(120)
class SandboxLifecycleTest {
    private static AirlockClient client;

    @BeforeAll
    static void start() {
        client = TestAirlock.shared().client();
    }

    @Test
    void create_withSpec_infoReportsTemplateMetadataAndNetwork() {
        SandboxSpec spec = SandboxSpec.builder().template("base").timeout(Duration.ofMinutes(2))
                .env(Map.of("A", "1")).metadata(Map.of("k", "v"))
                .allowOut(List.of("pypi.org")).denyOut(List.of("0.0.0.0/0")).build();
        try (Sandbox sbx = client.sandboxes().create(spec)) {
            SandboxInfo info = sbx.info();
            assertThat(info.sandboxId()).isEqualTo(sbx.sandboxId());
            assertThat(info.templateId()).isEqualTo("base");
            assertThat(info.metadata()).containsEntry("k", "v");
            assertThat(info.state()).isEqualTo(SandboxState.RUNNING);
            assertThat(info.endAt()).isBetween(Instant.now().plusSeconds(60), Instant.now().plusSeconds(130));
            assertThat(info.allowOut()).containsExactly("pypi.org");
            assertThat(info.denyOut()).containsExactly("0.0.0.0/0");
            assertThat(sbx.commands().run("echo $A").stdout()).isEqualTo("1\n");
            assertThat(sbx.isRunning()).isTrue();
        }
    }

    @Test
    void list_byMetadataWithPaging_returnsEachSandboxOnce() {
        String tag = UUID.randomUUID().toString();
        SandboxSpec spec = SandboxSpec.builder().metadata(Map.of("tag", tag)).timeout(Duration.ofMinutes(2)).build();
        try (Sandbox a = client.sandboxes().create(spec); Sandbox b = client.sandboxes().create(spec);
                Sandbox c = client.sandboxes().create(spec)) {
            ListOptions first = ListOptions.builder().metadata(Map.of("tag", tag)).state(SandboxState.RUNNING).limit(2).build();
            List<String> seen = new ArrayList<>();
            Page<SandboxInfo> page = client.sandboxes().list(first);
            assertThat(page.items()).hasSize(2);
            assertThat(page.hasNext()).isTrue();
            page.items().forEach(s -> seen.add(s.sandboxId()));
            page = client.sandboxes().list(first.withNextToken(page.nextToken().orElseThrow()));
            page.items().forEach(s -> seen.add(s.sandboxId()));
            assertThat(page.nextToken()).isEmpty();
            assertThat(seen).containsExactlyInAnyOrder(a.sandboxId(), b.sandboxId(), c.sandboxId());
            assertThat(client.sandboxes().list(ListOptions.builder().metadata(Map.of("tag", "other-" + tag)).build()).items()).isEmpty();
        }
    }

    @Test
    void setTimeout_movesTheEnd() {
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            sbx.setTimeout(Duration.ofSeconds(30));
            assertThat(sbx.info().endAt()).isBefore(Instant.now().plusSeconds(31));
        }
    }

    @Test
    void pauseThenResume_keepsFilesAndProcesses() {
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            sbx.files().write("/home/user/kept.txt", "kept");
            CommandHandle sleeper = sbx.commands().start("sleep 300", RunOptions.builder().timeout(Duration.ZERO).build());
            sleeper.disconnect();
            assertThat(sbx.pause()).isTrue();
            assertThat(sbx.info().state()).isEqualTo(SandboxState.PAUSED);
            assertThat(sbx.isRunning()).isFalse();
            assertThat(sbx.pause()).as("pausing a paused sandbox").isFalse();
            sbx.resume();
            assertThat(sbx.isRunning()).isTrue();
            assertThat(sbx.files().readString("/home/user/kept.txt")).isEqualTo("kept");
            assertThat(sbx.commands().list()).extracting(ProcessInfo::pid).contains(sleeper.pid());
        }
    }

    @Test
    void connect_givesAWorkingHandleToTheSameSandbox() {
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            sbx.files().write("/tmp/connect.txt", "from the first handle");
            Sandbox again = client.sandboxes().connect(sbx.sandboxId());
            assertThat(again.sandboxId()).isEqualTo(sbx.sandboxId());
            assertThat(again.commands().run("cat /tmp/connect.txt").stdout()).isEqualTo("from the first handle");
        }
    }

    @Test
    void close_killsTheSandbox() {
        Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults());
        sbx.close();
        assertThat(sbx.isRunning()).isFalse();
        assertThat(client.sandboxes().kill(sbx.sandboxId())).as("already gone").isFalse();
        assertThatThrownBy(sbx::info).isInstanceOf(NotFoundException.class).hasMessageContaining(sbx.sandboxId());
        assertThatThrownBy(() -> sbx.commands().run("true")).isInstanceOf(NotFoundException.class)
                .satisfies(e -> assertThat(((AirlockException) e).status()).isEqualTo(502));
    }

    @Test
    void connect_unknownId_throwsNotFound() {
        assertThatThrownBy(() -> client.sandboxes().connect("nosuchsandbox0000"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("nosuchsandbox0000")
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void create_unknownTemplate_throwsNotFoundNamingIt() {
        assertThatThrownBy(() -> client.sandboxes().create(SandboxSpec.builder().template("no-such-template").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no-such-template");
    }

    @Test
    void create_timeoutOverTheMaximum_throwsInvalidRequestWithField() {
        SandboxSpec spec = SandboxSpec.builder().timeout(Duration.ofDays(30)).build();
        assertThatThrownBy(() -> client.sandboxes().create(spec))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.field()).contains("timeout");
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void anyCall_wrongApiKey_throwsAuthentication() {
        AirlockClient wrong = AirlockClient.builder().url(TestAirlock.shared().url()).apiKey("e2b_" + "0".repeat(40)).build();
        assertThatThrownBy(() -> wrong.sandboxes().list(ListOptions.all())).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void updateNetwork_replacesTheRules() {
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            sbx.updateNetwork(List.of("a.test", "b.test"), List.of("0.0.0.0/0"));
            assertThat(sbx.info().allowOut()).containsExactly("a.test", "b.test");
            assertThatThrownBy(() -> sbx.updateNetwork(List.of("not a rule!"), List.of())).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void egress_ofASandboxThatMadeNoConnections_isEmpty() {
        String id;
        try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
            id = sbx.sandboxId();
        }
        EgressAudit audit = client.sandboxes().egress(id);
        assertThat(audit.sandboxId()).isEqualTo(id);
        assertThat(audit.events()).isEmpty();
        assertThat(audit.proposedAllowOut()).isEmpty();
        assertThatThrownBy(() -> client.sandboxes().egress("nosuchsandbox0000")).isInstanceOf(NotFoundException.class);
    }
}
