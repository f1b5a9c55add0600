package io.airlock.core.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decrypted secret values, by name, held only in memory. Deliberately not a record: its
 * {@link #toString()} names the secrets and never shows a value, so logging one by mistake leaks
 * nothing. Immutable and thread-safe.
 */
public final class SecretValues {
    private static final SecretValues NONE = new SecretValues(Map.of());

    private final Map<String, String> byName;

    private SecretValues(Map<String, String> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** No secrets. */
    public static SecretValues none() {
        return NONE;
    }

    /** Values already in memory, by name (the vault is the usual source). */
    public static SecretValues of(Map<String, String> byName) {
        return byName.isEmpty() ? NONE : new SecretValues(new LinkedHashMap<>(byName));
    }

    /** The secrets' names, in the order they were asked for. */
    public Set<String> names() {
        return byName.keySet();
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The values as environment variables: name to value. Hand it only to a process spawn. */
    public Map<String, String> env() {
        return byName;
    }

    /** These secrets and {@code other}'s; {@code other} wins where both name the same secret. */
    public SecretValues plus(SecretValues other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Map<String, String> merged = new LinkedHashMap<>(byName);
        merged.putAll(other.byName);
        return new SecretValues(merged);
    }

    /** The values' UTF-8 bytes, for a masker. */
    List<byte[]> patterns() {
        List<byte[]> out = new ArrayList<>(byName.size());
        for (String v : byName.values()) {
            out.add(v.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The raw values, for a masker. */
    Iterable<String> values() {
        return byName.values();
    }

    @Override
    public String toString() {
        return "SecretValues" + byName.keySet() + " (values redacted)";
    }
}
