package io.airlock.sdk;

import java.util.List;

/**
 * A sandbox's egress audit ({@code GET /v1/sandboxes/{id}/egress}): every outbound decision,
 * during and after its run, and the minimal allowlist the run needed.
 *
 * <pre>{@code
 * String id;
 * try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().learnEgress(true).build())) {
 *     id = sbx.sandboxId();
 *     sbx.commands().run("pip download requests");
 * }
 * List<String> allow = client.sandboxes().egress(id).proposedAllowOut();   // e.g. [pypi.org, files.pythonhosted.org]
 * }</pre>
 *
 * @param sandboxId the sandbox
 * @param events its decisions, oldest first (at most the newest 10,000)
 * @param proposedAllowOut the allowlist that covers every connection it made
 */
public record EgressAudit(String sandboxId, List<EgressEvent> events, List<String> proposedAllowOut) {
    public EgressAudit {
        events = List.copyOf(events);
        proposedAllowOut = List.copyOf(proposedAllowOut);
    }
}
