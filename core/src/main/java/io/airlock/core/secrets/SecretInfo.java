package io.airlock.core.secrets;

import java.time.Instant;

/**
 * What may be shown about a secret: everything but its value.
 *
 * @param name the secret's name, which is also its environment variable's
 * @param createdAt when it was first set
 * @param updatedAt when its value was last set
 */
public record SecretInfo(String name, Instant createdAt, Instant updatedAt) {}
