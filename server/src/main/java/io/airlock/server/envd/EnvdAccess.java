package io.airlock.server.envd;

import io.airlock.core.SandboxNotFoundException;
import java.util.Optional;

/** What the data plane needs to know of a sandbox beyond the service layer: its access token. */
public interface EnvdAccess {
    /**
     * The sandbox's envd access token, or empty if it was created with {@code secure: false}.
     * Implementations need not check that the sandbox is alive; callers do.
     *
     * @throws SandboxNotFoundException if the implementation knows the sandbox is gone
     */
    Optional<String> accessToken(String sandboxId);
}
