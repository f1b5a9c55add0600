package io.airlock.sdk;

import java.time.Instant;

/**
 * One use of a secret from the audit trail: a sandbox, or one command in it, got the value.
 *
 * <pre>{@code
 * client.secrets().uses("OPENAI_API_KEY", 20)
 *         .forEach(u -> System.out.println(u.at() + " " + u.sandboxId() + " " + u.scope() + " by " + u.actor()));
 * }</pre>
 *
 * @param at when
 * @param sandboxId the sandbox that got it
 * @param scope {@code sandbox} (every process of the sandbox) or {@code command} (one command)
 * @param actor who asked: {@code key:<api key id>}
 */
public record SecretUse(Instant at, String sandboxId, String scope, String actor) {}
