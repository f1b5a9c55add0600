package io.airlock.core.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The secret values live in this server right now, for masking log output: the server's log
 * encoder passes every line through {@link #mask(byte[])}. Values are registered when a sandbox
 * or command gets them and released when that sandbox ends; a value registered twice stays until
 * released twice. Besides the raw value, its JSON-escaped forms are masked too (the log is JSON).
 *
 * <p>Process-wide, because the logging framework creates its encoders itself. Thread-safe; reads
 * are lock-free.
 */
public final class LogRedaction {
    private static final Map<String, Integer> counts = new HashMap<>(); // guarded by the class
    private static volatile OutputMasker masker = OutputMasker.of(List.of());

    private LogRedaction() {}

    /** Masks these values in logs until {@link #release} is called with them. */
    public static synchronized void register(SecretValues values) {
        for (String v : values.values()) {
            counts.merge(v, 1, Integer::sum);
        }
        rebuild();
    }

    /** Undoes one {@link #register} of these values. */
    public static synchronized void release(SecretValues values) {
        for (String v : values.values()) {
            counts.computeIfPresent(v, (k, n) -> n > 1 ? n - 1 : null);
        }
        rebuild();
    }

    /** One encoded log line (or several), with every registered value masked. */
    public static byte[] mask(byte[] encoded) {
        OutputMasker m = masker;
        return m.masksNothing() ? encoded : m.maskWhole(encoded);
    }

    /** Whether any value is registered. */
    public static boolean active() {
        return !masker.masksNothing();
    }

    private static void rebuild() {
        List<byte[]> patterns = new ArrayList<>();
        for (String v : counts.keySet()) {
            patterns.add(v.getBytes(StandardCharsets.UTF_8));
            patterns.add(jsonEscaped(v, false).getBytes(StandardCharsets.UTF_8));
            patterns.add(jsonEscaped(v, true).getBytes(StandardCharsets.UTF_8));
        }
        masker = OutputMasker.of(patterns);
    }

    /** The value as a JSON string's content; logback's encoder also escapes '/'. */
    static String jsonEscaped(String v, boolean slash) {
        StringBuilder b = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '/' -> b.append(slash ? "\\/" : "/");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
