package io.airlock.sdk;

import java.time.Duration;

/**
 * The sandboxes of the client's tenant, through E2B's control plane ({@code /sandboxes}) and
 * Airlock's platform API ({@code /v1}). Another tenant's sandbox is not found, like one that never
 * existed. Thread-safe.
 *
 * <pre>{@code
 * Sandboxes sandboxes = client.sandboxes();
 * try (Sandbox sbx = sandboxes.create(SandboxSpec.builder().template("base").build())) {
 *     Sandbox same = sandboxes.connect(sbx.sandboxId());
 * }
 * sandboxes.list(ListOptions.all()).items().forEach(System.out::println);
 * }</pre>
 */
public interface Sandboxes {
    /**
     * Starts a sandbox and returns once it runs. Close it (or {@link Sandbox#kill()}) when done.
     *
     * @throws InvalidRequestException for a spec the server refuses (e.g. a timeout over its maximum)
     * @throws NotFoundException if the template does not exist
     * @throws RateLimitException if the tenant already runs its maximum of sandboxes
     */
    Sandbox create(SandboxSpec spec);

    /**
     * A handle to an existing sandbox, resuming it if it is paused; its time to live is extended
     * to at least {@link SandboxSpec#DEFAULT_TIMEOUT} from now, never shortened.
     *
     * @throws NotFoundException if there is no such sandbox of this tenant
     */
    Sandbox connect(String sandboxId);

    /** As {@link #connect(String)}, extending its time to live to at least {@code timeout} from now. */
    Sandbox connect(String sandboxId, Duration timeout);

    /** One page of sandboxes matching {@code options}, newest first. */
    Page<SandboxInfo> list(ListOptions options);

    /**
     * What the server knows about a sandbox.
     *
     * @throws NotFoundException if there is no such sandbox of this tenant
     */
    SandboxInfo info(String sandboxId);

    /** Kills a sandbox: true if it was killed, false if it did not exist (already gone). */
    boolean kill(String sandboxId);

    /**
     * The sandbox's egress audit; available during its run and after it ended.
     *
     * @throws NotFoundException if this tenant never had such a sandbox
     */
    EgressAudit egress(String sandboxId);
}
