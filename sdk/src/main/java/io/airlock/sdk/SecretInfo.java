package io.airlock.sdk;

import java.time.Instant;

/**
 * A secret in the tenant's vault, without its value (which is never returned).
 *
 * <pre>{@code
 * client.secrets().list().forEach(s -> System.out.println(s.name() + " updated " + s.updatedAt()));
 * }</pre>
 *
 * @param name the secret's name, which is also the environment variable's
 * @param createdAt when it was first set
 * @param updatedAt when its value was last set
 */
public record SecretInfo(String name, Instant createdAt, Instant updatedAt) {}
