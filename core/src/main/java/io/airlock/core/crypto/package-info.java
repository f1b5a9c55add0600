/**
 * Encryption at rest: the key hierarchy and the two ciphertext formats every encrypted thing in
 * Airlock uses.
 *
 * <ul>
 *   <li>{@link MasterKeys}: the operator's master key (from {@code AIRLOCK_MASTER_KEY} or a 0600
 *       key file), plus any retired keys still needed to unwrap during a rotation.
 *   <li>{@link DataKeys}: one random AES-256 data key per tenant, stored only wrapped by the
 *       master key ({@link WrappedKeyStore}). Rotating the master key re-wraps these and nothing
 *       else.
 *   <li>{@link Aead}: AES-256-GCM for small values (secrets, manifests), and {@link SealedStreams}
 *       for files of any size, in independently authenticated 1 MiB chunks.
 * </ul>
 *
 * <p>Every ciphertext is bound to its context through the associated data (tenant, purpose,
 * object id), so ciphertext moved from one tenant or object to another fails authentication
 * instead of decrypting.
 */
@NullMarked
package io.airlock.core.crypto;

import org.jspecify.annotations.NullMarked;
