package io.airlock.core.secrets;

import java.time.Instant;
import java.util.Locale;

/**
 * One use of a secret: a sandbox (or one command in it) got its value.
 *
 * @param tenant the tenant whose vault it came from
 * @param name the secret
 * @param sandboxId the sandbox that got it
 * @param scope whether the whole sandbox or one command got it
 * @param actor who asked: {@code key:<api key id>} (a command started over the data plane with
 *     only the access token gets no secrets, so every use has a key behind it)
 * @param at when
 */
public record SecretUse(String tenant, String name, String sandboxId, Scope scope, String actor, Instant at) {
    /** Who got a secret. */
    public enum Scope {
        /** Every process of the sandbox, for its whole life. */
        SANDBOX,
        /** One command's process. */
        COMMAND;

        /** The lowercase wire name. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException if {@code wire} is neither {@code sandbox} nor {@code command} */
        public static Scope ofWire(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }
}
