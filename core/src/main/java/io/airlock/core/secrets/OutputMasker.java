package io.airlock.core.secrets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Masks exact occurrences of secret values in a byte stream, as CI systems do: every maximal run
 * of bytes covered by some occurrence becomes {@code ***}. Overlapping and adjacent occurrences
 * merge into one {@code ***}, so the output does not tell where one secret ends.
 *
 * <p>It works on bytes, so any encoding that keeps the value's UTF-8 bytes intact is covered, and
 * a value split across chunks is still found: {@link #push} holds back a tail that is a proper
 * prefix of some value until the next chunk shows whether it completes one, and {@link #finish}
 * releases it at the end of the stream. A stream that stops after such a prefix and waits shows
 * it only when more output comes or the stream ends. The output of {@code push}es and {@code
 * finish} is the same however the input is chunked.
 *
 * <p>One masker per stream (stdout and stderr are two streams); not thread-safe.
 */
public final class OutputMasker {
    static final byte[] MASK = "***".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = {};

    private final List<byte[]>[] byFirstByte;
    private final boolean empty;
    private final int maxLength;
    private byte[] held = EMPTY;
    /** How many leading bytes of {@link #held} are inside an occurrence that began before them. */
    private int heldCovered;
    /** Whether the last byte let out was masked, so a run continuing in the next chunk adds no second mask. */
    private boolean lastMasked;

    @SuppressWarnings("unchecked")
    private OutputMasker(Collection<byte[]> patterns) {
        byFirstByte = new List[256];
        boolean none = true;
        int longest = 0;
        for (byte[] p : patterns) {
            if (p.length == 0) {
                continue;
            }
            int first = p[0] & 0xff;
            if (byFirstByte[first] == null) {
                byFirstByte[first] = new ArrayList<>();
            }
            if (byFirstByte[first].stream().noneMatch(q -> Arrays.equals(q, p))) {
                byFirstByte[first].add(p.clone());
            }
            none = false;
            longest = Math.max(longest, p.length);
        }
        this.empty = none;
        this.maxLength = longest;
    }

    /** A masker over these secrets' values. */
    public static OutputMasker over(SecretValues values) {
        return new OutputMasker(values.patterns());
    }

    /** A masker over these byte strings; empty ones are ignored. */
    static OutputMasker of(Collection<byte[]> patterns) {
        return new OutputMasker(patterns);
    }

    /** {@code text} with every secret masked, for text that is whole (not a stream chunk). */
    public static String mask(SecretValues values, String text) {
        if (values.isEmpty() || text.isEmpty()) {
            return text;
        }
        OutputMasker m = over(values);
        byte[] out = m.maskWhole(text.getBytes(StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Whether there is nothing to mask: every chunk passes through unchanged. */
    public boolean masksNothing() {
        return empty;
    }

    /** The masked bytes of this whole input, as if it were the entire stream (state is left as it was). */
    public byte[] maskWhole(byte[] input) {
        if (empty) {
            return input;
        }
        return process(input, 0, true, new boolean[] {false}).out;
    }

    /**
     * Masks the next chunk of the stream.
     *
     * @return what can be let out now; possibly less than {@code chunk} (a held-back tail), possibly more
     */
    public byte[] push(byte[] chunk) {
        if (empty) {
            return chunk;
        }
        byte[] buf = held.length == 0 ? chunk : concat(held, chunk);
        boolean[] last = {lastMasked};
        Result r = process(buf, heldCovered, false, last);
        lastMasked = last[0];
        held = Arrays.copyOfRange(buf, r.hold, buf.length);
        heldCovered = r.heldCovered;
        return r.out;
    }

    /** Lets out what is held back, at the end of the stream. The masker starts afresh afterwards. */
    public byte[] finish() {
        if (empty || held.length == 0) {
            reset();
            return EMPTY;
        }
        boolean[] last = {lastMasked};
        byte[] out = process(held, heldCovered, true, last).out;
        reset();
        return out;
    }

    private void reset() {
        held = EMPTY;
        heldCovered = 0;
        lastMasked = false;
    }

    private record Result(byte[] out, int hold, int heldCovered) {}

    private Result process(byte[] buf, int coveredPrefix, boolean atEnd, boolean[] lastMasked) {
        int n = buf.length;
        int hold = atEnd ? n : holdFrom(buf);
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + MASK.length);
        int reach = coveredPrefix; // bytes before reach are inside some occurrence
        boolean masked = lastMasked[0];
        for (int i = 0; i < hold; i++) {
            List<byte[]> candidates = byFirstByte[buf[i] & 0xff];
            if (candidates != null) {
                for (byte[] p : candidates) {
                    if (i + p.length <= n && i + p.length > reach && Arrays.equals(buf, i, i + p.length, p, 0, p.length)) {
                        reach = i + p.length;
                    }
                }
            }
            if (i < reach) {
                if (!masked) {
                    out.writeBytes(MASK);
                    masked = true;
                }
            } else {
                out.write(buf[i]);
                masked = false;
            }
        }
        lastMasked[0] = masked;
        return new Result(out.toByteArray(), hold, Math.max(0, Math.min(reach, n) - hold));
    }

    /** Where the held-back tail starts: the first position from which the rest is a proper prefix of a value. */
    private int holdFrom(byte[] buf) {
        int n = buf.length;
        for (int j = Math.max(0, n - maxLength() + 1); j < n; j++) {
            List<byte[]> candidates = byFirstByte[buf[j] & 0xff];
            if (candidates == null) {
                continue;
            }
            int rest = n - j;
            for (byte[] p : candidates) {
                if (rest < p.length && Arrays.equals(buf, j, n, p, 0, rest)) {
                    return j;
                }
            }
        }
        return n;
    }

    private int maxLength() {
        return maxLength;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
