package io.airlock.core.secrets;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.crypto.DataKeys;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Each tenant's secrets: named values sealed under the tenant's data key, bound to
 * {@code ("airlock secret v1", tenant, name)}. Values go in and never come back out through
 * this interface except as {@link SecretValues} for a sandbox's processes. Thread-safe.
 *
 * <p>Names are environment-variable shaped, {@code [A-Za-z_][A-Za-z0-9_]{0,127}}. Values are
 * 4 bytes to 64 KiB of UTF-8 without NUL: a shorter value would be masked wherever those few
 * characters happen to appear in output, which makes masking useless.
 */
public interface Vault {
    /** Shortest value, in UTF-8 bytes. */
    int MIN_VALUE_BYTES = 4;
    /** Longest value, in UTF-8 bytes. */
    int MAX_VALUE_BYTES = 64 * 1024;
    /** Most secrets one sandbox or command may name. */
    int MAX_NAMES = 64;

    /** The vault over {@code store}, sealing with the tenants' data keys; {@code clock} dates the audit. */
    static Vault create(DataKeys keys, SecretStore store, InstantSource clock) {
        return new SealedVault(keys, store, clock);
    }

    /** An empty vault that refuses to store anything, for servers wired without a store. */
    static Vault none() {
        return new NoVault();
    }

    /**
     * Sets a secret's value, creating it if needed.
     *
     * @throws InvalidRequestException ({@code name} or {@code value}) for a malformed name or a value
     *     outside the limits; the message never contains the value
     */
    SecretInfo put(String tenant, String name, String value);

    /** The tenant's secrets, by name, without values. */
    List<SecretInfo> list(String tenant);

    /** @throws SecretNotFoundException if the tenant has no such secret */
    SecretInfo info(String tenant, String name);

    /** @throws SecretNotFoundException if the tenant has no such secret */
    void delete(String tenant, String name);

    /**
     * Decrypts the named secrets of the tenant, for handing to a sandbox. Records nothing: the
     * caller records the use once it knows the sandbox ({@link #recordUses}).
     *
     * @param field the request field that named them, for the error
     * @throws InvalidRequestException ({@code field}) if a name is malformed or the tenant has no such secret
     * @throws io.airlock.core.crypto.IntegrityException if a stored value fails authentication
     *     (moved from another tenant or name, or altered)
     */
    SecretValues resolve(String tenant, Collection<String> names, String field);

    /** Appends to the audit that {@code sandboxId} got these secrets of the tenant. */
    void recordUses(String tenant, Collection<String> names, String sandboxId, SecretUse.Scope scope, String actor);

    /**
     * The newest uses of a secret, newest first. Uses outlive the secret: a deleted secret's
     * audit can still be read.
     *
     * @throws SecretNotFoundException if the tenant has no such secret and no use of it was recorded
     */
    List<SecretUse> uses(String tenant, String name, int limit);

    /**
     * Parses a comma-separated list of names ({@code "A, B"}); blanks between commas are skipped.
     *
     * @throws InvalidRequestException ({@code field}) for a malformed name or too many names
     */
    static List<String> parseNames(String field, String commaSeparated) {
        List<String> names = Arrays.stream(commaSeparated.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).distinct().toList();
        checkNames(field, names);
        return names;
    }

    /** @throws InvalidRequestException ({@code field}) for a malformed name or too many names */
    static void checkNames(String field, Collection<String> names) {
        if (names.size() > MAX_NAMES) {
            throw new InvalidRequestException(field, "at most " + MAX_NAMES + " secrets, got " + names.size());
        }
        for (String n : names) {
            checkName(field, n);
        }
    }

    /** @throws InvalidRequestException ({@code field}) unless {@code name} is environment-variable shaped */
    static void checkName(String field, String name) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
            String shown = name == null ? "null" : name.length() > 40 ? name.substring(0, 40) + "…" : name;
            throw new InvalidRequestException(field, "invalid secret name '" + shown + "': names are 1 to 128 letters, digits"
                    + " and '_', not starting with a digit (they become environment variable names)");
        }
    }
}
