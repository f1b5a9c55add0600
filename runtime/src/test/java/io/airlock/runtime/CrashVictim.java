package io.airlock.runtime;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A server stand-in for {@link SandboxCrashRecoveryTest}: starts sandboxes with busy processes
 * (one per tier, plus a daemon), prints READY, then waits to be killed with -9.
 */
public final class CrashVictim {
    private CrashVictim() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        Path state = Path.of(args[1]);
        Templates templates = TemplateCatalog.open(SandboxFixture.TEMPLATES, Clock.systemUTC());
        templates.build(BuiltinTemplates.BASE, BuildProgress.NONE);
        SandboxService service = SandboxService.create(templates, OciRuntime.create(home, state, SandboxFixture.AGENT),
                SandboxPolicy.standard().withPoolSizes(Map.of("base", 1)), Clock.systemUTC());
        service.start();
        for (String tier : args[2].split(",")) {
            String id = service.create(SandboxRequest.of("base").withTier(Tier.parse("tier", tier))).id();
            service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-c", "(setsid sleep 100000 &); while :; do :; done"),
                    Map.of(), "", "user", false, null, ""));
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
