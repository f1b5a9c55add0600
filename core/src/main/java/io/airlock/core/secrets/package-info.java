/**
 * The secrets vault: per-tenant named values, sealed at rest under the tenant's data key, handed
 * to sandboxes only as environment variables of their processes, and masked in what comes back.
 *
 * <ul>
 *   <li>{@link Vault}: set, list, delete and resolve a tenant's secrets; every value is sealed
 *       with AES-256-GCM bound to {@code ("airlock secret v1", tenant, name)}, so ciphertext moved
 *       to another tenant or name fails authentication. Values are write-only: nothing returns them.
 *   <li>{@link SecretGrants}: which live sandbox got which values (sandbox-wide or for one command),
 *       the audit of each use, and the maskers over them.
 *   <li>{@link SecretValues}: decrypted values in memory, with a redacted {@code toString}.
 *   <li>{@link OutputMasker}: replaces exact occurrences of the values with {@code ***} in a byte
 *       stream, across chunk boundaries; {@link LogRedaction} does the same for log lines.
 * </ul>
 */
@NullMarked
package io.airlock.core.secrets;

import org.jspecify.annotations.NullMarked;
