package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DefaultSandboxServiceTest {
    private final FakeClock clock = FakeClock.create();
    private final StubRuntime runtime = new StubRuntime();
    private final DefaultSandboxService service =
            new DefaultSandboxService(runtime, runtime, SandboxPolicy.standard().withPoolSizes(Map.of()), clock,
                    SandboxQuotas.unlimited(), SandboxListener.none());

    @AfterEach
    void close() {
        service.close();
    }

    @Test
    void create_defaults_usePolicyDefaultsAndTtl() {
        Sandbox s = service.create(SandboxRequest.of("base"));

        assertThat(s.resources()).isEqualTo(Resources.DEFAULTS);
        assertThat(Duration.between(s.startedAt(), s.endAt())).isEqualTo(Duration.ofSeconds(300));
        assertThat(s.tier()).isEqualTo(Tier.RUNC);
        assertThat(SandboxIds.wellFormed(s.id())).isTrue();
    }

    @Test
    void create_oversizedResources_clampedToOperatorMaximum() {
        Sandbox s = service.create(SandboxRequest.of("base").withResources(new Resources(64, 1L << 40, 100_000, 1L << 50)));

        assertThat(s.resources()).isEqualTo(SandboxPolicy.standard().maximum());
        assertThat(runtime.started.getLast().resources()).isEqualTo(SandboxPolicy.standard().maximum());
    }

    @Test
    void create_unknownTemplate_namesKnownTemplates() {
        assertThatThrownBy(() -> service.create(SandboxRequest.of("nope")))
                .isInstanceOf(TemplateNotFoundException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("base");
    }

    @Test
    void create_envWithInvalidName_rejectedNamingTheField() {
        assertThatThrownBy(() -> SandboxRequest.of("base").withEnv(Map.of("1BAD", "x")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("envVars");
    }

    @Test
    void reapExpired_pastTtl_killsAndForgets() {
        Sandbox s = service.create(SandboxRequest.of("base").withTimeout(Duration.ofSeconds(10)));

        clock.advance(Duration.ofSeconds(9));
        assertThat(service.reapExpired()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(service.reapExpired()).isEqualTo(1);

        assertThatThrownBy(() -> service.get(s.id())).isInstanceOf(SandboxNotFoundException.class);
        await().until(() -> runtime.sandboxes.get(s.id()).kills == 1);
    }

    @Test
    void setTimeout_shortened_reapedAtNewDeadline() {
        Sandbox s = service.create(SandboxRequest.of("base"));

        service.setTimeout(s.id(), Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));

        assertThat(service.reapExpired()).isEqualTo(1);
    }

    @Test
    void setTimeout_extended_survivesOriginalDeadline() {
        Sandbox s = service.create(SandboxRequest.of("base").withTimeout(Duration.ofSeconds(5)));

        service.setTimeout(s.id(), Duration.ofSeconds(60));
        clock.advance(Duration.ofSeconds(30));

        assertThat(service.reapExpired()).isZero();
        assertThat(service.get(s.id()).endAt()).isEqualTo(clock.instant().plusSeconds(30));
    }

    @Test
    void pause_ttlStopsCounting_resumeRestoresRemaining() {
        Sandbox s = service.create(SandboxRequest.of("base").withTimeout(Duration.ofSeconds(10)));
        clock.advance(Duration.ofSeconds(4));

        assertThat(service.pause(s.id()).state()).isEqualTo(Sandbox.State.PAUSED);
        clock.advance(Duration.ofHours(1));
        assertThat(service.reapExpired()).isZero();

        Sandbox resumed = service.resume(s.id(), null);
        assertThat(resumed.endAt()).isEqualTo(clock.instant().plusSeconds(6));
        assertThat(runtime.sandboxes.get(s.id()).paused).isFalse();
    }

    @Test
    void get_malformedOrUnknownId_sameNotFound() {
        assertThatThrownBy(() -> service.get("../../etc")).isInstanceOf(SandboxNotFoundException.class);
        assertThatThrownBy(() -> service.get("iaaaaaaaaaaaaaaaaaaaaaaaa")).isInstanceOf(SandboxNotFoundException.class);
    }

    @Test
    void kill_twice_secondIsNotFound() {
        Sandbox s = service.create(SandboxRequest.of("base"));
        service.kill(s.id());

        assertThatThrownBy(() -> service.kill(s.id())).isInstanceOf(SandboxNotFoundException.class);
        assertThat(runtime.sandboxes.get(s.id()).kills).isEqualTo(1);
    }

    @Test
    void runtimeDeath_removesSandbox() {
        Sandbox s = service.create(SandboxRequest.of("base"));

        runtime.sandboxes.get(s.id()).death.complete(null);

        assertThat(service.list()).extracting(Sandbox::id).doesNotContain(s.id());
    }

    @Test
    void spawn_appliesTemplateDefaultsAndEnvLayers() {
        Sandbox s = service.create(SandboxRequest.of("base").withEnv(Map.of("A", "sandbox", "B", "sandbox")));

        assertThatThrownBy(() -> service.spawn(s.id(), new ProcessSpec(List.of("env"), Map.of("B", "cmd"), "", "", false, null, "")))
                .isInstanceOf(UnsupportedOperationException.class);

        ProcessSpec sent = runtime.spawned.getLast();
        assertThat(sent.user()).isEqualTo("user");
        assertThat(sent.cwd()).isEqualTo("/home/user");
        assertThat(sent.env()).containsEntry("A", "sandbox").containsEntry("B", "cmd").containsEntry("LANG", "C.UTF-8");
    }

    @Test
    void warmPool_claimsPooledSandbox_andRefills() {
        try (DefaultSandboxService pooled = new DefaultSandboxService(
                runtime, runtime, SandboxPolicy.standard().withPoolSizes(Map.of("base", 2)), clock,
                SandboxQuotas.unlimited(), SandboxListener.none())) {
            pooled.start();
            await().until(() -> pooled.pool("base").orElseThrow().ready() == 2);
            String pooledId = runtime.started.getFirst().id();

            Sandbox s = pooled.create(SandboxRequest.of("base"));

            assertThat(List.of(runtime.started.get(0).id(), runtime.started.get(1).id())).contains(s.id());
            await().until(() -> pooled.pool("base").orElseThrow().ready() == 2);
            assertThat(runtime.started).hasSize(3);
            assertThat(pooledId).isNotBlank();
        }
    }

    @Test
    void warmPool_nonDefaultResources_coldStart() {
        try (DefaultSandboxService pooled = new DefaultSandboxService(
                runtime, runtime, SandboxPolicy.standard().withPoolSizes(Map.of("base", 1)), clock,
                SandboxQuotas.unlimited(), SandboxListener.none())) {
            pooled.start();
            await().until(() -> pooled.pool("base").orElseThrow().ready() == 1);

            Sandbox s = pooled.create(SandboxRequest.of("base").withResources(new Resources(0.5, 256 * Resources.MIB, 64, 512 * Resources.MIB)));

            assertThat(s.id()).isNotEqualTo(runtime.started.getFirst().id());
            assertThat(pooled.pool("base").orElseThrow().ready()).isEqualTo(1);
        }
    }

    @Test
    void quota_ownerAtLimit_rejectedUntilOneDies() {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        SandboxListener listener = new SandboxListener() {
            @Override
            public void created(Sandbox sandbox) {
                events.add("created " + sandbox.owner());
            }

            @Override
            public void ended(String id, String reason) {
                events.add("ended " + reason);
            }
        };
        try (DefaultSandboxService limited = new DefaultSandboxService(runtime, runtime,
                SandboxPolicy.standard().withPoolSizes(Map.of()), clock, owner -> owner.equals("t1") ? 2 : 0, listener)) {
            Sandbox first = limited.create(SandboxRequest.of("base").withOwner("t1"));
            limited.create(SandboxRequest.of("base").withOwner("t1"));

            assertThatThrownBy(() -> limited.create(SandboxRequest.of("base").withOwner("t1")))
                    .isInstanceOf(QuotaExceededException.class)
                    .hasMessageContaining("t1 already has 2 sandboxes");
            assertThatThrownBy(() -> limited.create(SandboxRequest.of("base").withOwner("t2")))
                    .isInstanceOf(QuotaExceededException.class);
            assertThat(limited.create(SandboxRequest.of("base")).owner()).isEmpty();

            limited.kill(first.id());
            Sandbox third = limited.create(SandboxRequest.of("base").withOwner("t1"));

            assertThat(third.owner()).isEqualTo("t1");
            assertThat(events).containsExactly("created t1", "created t1", "created ", "ended killed", "created t1");
        }
    }

    @Test
    void environment_templateThenSandbox() {
        Sandbox s = service.create(SandboxRequest.of("base").withEnv(Map.of("A", "sandbox", "LANG", "xx")));

        assertThat(service.environment(s.id())).containsEntry("A", "sandbox").containsEntry("LANG", "xx");
    }
}
