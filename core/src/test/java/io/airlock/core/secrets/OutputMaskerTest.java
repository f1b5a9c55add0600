package io.airlock.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputMaskerTest {

    private static List<byte[]> utf8(String... values) {
        return Arrays.stream(values).map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The masker fed {@code input} in pieces cut at {@code cuts}, then finished. */
    private static String streamed(List<byte[]> patterns, byte[] input, int... cuts) {
        OutputMasker m = OutputMasker.of(patterns);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int cut : cuts) {
            out.writeBytes(m.push(Arrays.copyOfRange(input, from, cut)));
            from = cut;
        }
        out.writeBytes(m.push(Arrays.copyOfRange(input, from, input.length)));
        out.writeBytes(m.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** An independent reference: mark every byte inside an occurrence, then collapse each marked run to ***. */
    private static String reference(List<byte[]> patterns, byte[] input) {
        boolean[] covered = new boolean[input.length];
        for (byte[] p : patterns) {
            for (int i = 0; i + p.length <= input.length; i++) {
                if (p.length > 0 && Arrays.equals(input, i, i + p.length, p, 0, p.length)) {
                    Arrays.fill(covered, i, i + p.length, true);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < input.length; i++) {
            if (!covered[i]) {
                out.write(input[i]);
            } else if (i == 0 || !covered[i - 1]) {
                out.writeBytes("***".getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void push_wholeValueInOneChunk_isMasked() {
        assertThat(streamed(utf8("hunter22"), "pw=hunter22!".getBytes(StandardCharsets.UTF_8))).isEqualTo("pw=***!");
    }

    @Test
    void push_valueSplitAtEveryPosition_isMaskedTheSame() {
        List<byte[]> patterns = utf8("s3cr3t-value");
        byte[] input = "before s3cr3t-value middle s3cr3t-value".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= input.length; cut++) {
            assertThat(streamed(patterns, input, cut)).as("cut at %d", cut).isEqualTo("before *** middle ***");
        }
    }

    @Test
    void push_everyPairOfCuts_matchesReference() {
        List<byte[]> patterns = utf8("abcab", "bca", "xyzw");
        byte[] input = "abcabcabxyzwxyabcaxyzwabc".getBytes(StandardCharsets.UTF_8);
        String expected = reference(patterns, input);
        for (int a = 0; a <= input.length; a++) {
            for (int b = a; b <= input.length; b++) {
                assertThat(streamed(patterns, input, a, b)).as("cuts %d, %d", a, b).isEqualTo(expected);
            }
        }
    }

    @Test
    void push_byteAtATime_matchesReferenceOnRandomInput() {
        Random random = new Random(42);
        List<byte[]> patterns = utf8("abab", "baa", "aab b");
        String alphabet = "ab ";
        for (int round = 0; round < 500; round++) {
            byte[] input = new byte[random.nextInt(40)];
            for (int i = 0; i < input.length; i++) {
                input[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            int[] cuts = new int[input.length];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = i;
            }
            assertThat(streamed(patterns, input, cuts)).as(new String(input, StandardCharsets.UTF_8))
                    .isEqualTo(reference(patterns, input));
        }
    }

    @Test
    void push_overlappingValues_maskTheirUnion() {
        assertThat(streamed(utf8("abcd", "cdef"), "xabcdefx".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("x***x");
    }

    @Test
    void push_valueThatIsPrefixOfAnother_masksTheLongerWhole() {
        List<byte[]> patterns = utf8("abcd", "abcdef");
        byte[] input = "abcdef abcd!".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= input.length; cut++) {
            assertThat(streamed(patterns, input, cut)).as("cut at %d", cut).isEqualTo("*** ***!");
        }
    }

    @Test
    void push_multibyteValueSplitInsideACharacter_isMasked() {
        List<byte[]> patterns = utf8("pässwörd€");
        byte[] input = "ünïcode pässwörd€ ünïcode".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= input.length; cut++) {
            assertThat(streamed(patterns, input, cut)).as("cut at %d", cut).isEqualTo("ünïcode *** ünïcode");
        }
    }

    @Test
    void push_prefixOfValue_isHeldBackUntilTheNextChunkOrFinish() {
        OutputMasker m = OutputMasker.of(utf8("secret"));
        assertThat(m.push("a sec".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8).isEqualTo("a ");
        assertThat(m.push("ond".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8).isEqualTo("second");
        assertThat(m.push("x sec".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8).isEqualTo("x ");
        assertThat(m.finish()).asString(StandardCharsets.UTF_8).isEqualTo("sec");
    }

    @Test
    void push_maskedRunAcrossChunks_givesOneMask() {
        assertThat(streamed(utf8("aaaa"), "aaaaaaaaaa b".getBytes(StandardCharsets.UTF_8), 2, 5, 9)).isEqualTo("*** b");
    }

    @Test
    void push_noValues_passesChunksThrough() {
        OutputMasker m = OutputMasker.of(List.of());
        byte[] chunk = "anything".getBytes(StandardCharsets.UTF_8);
        assertThat(m.masksNothing()).isTrue();
        assertThat(m.push(chunk)).isSameAs(chunk);
        assertThat(m.finish()).isEmpty();
    }

    @Test
    void mask_wholeText_masksEveryValue() {
        SecretValues values = SecretValues.of(java.util.Map.of("A", "alpha-1", "B", "beta-22"));
        assertThat(OutputMasker.mask(values, "alpha-1 and beta-22, alpha-")).isEqualTo("*** and ***, alpha-");
    }

    @Test
    void secretValues_toString_showsNamesNotValues() {
        SecretValues values = SecretValues.of(java.util.Map.of("TOKEN", "tok-123456"));
        assertThat(values.toString()).contains("TOKEN").doesNotContain("tok-123456");
    }

    @Test
    void logRedaction_registeredValue_isMaskedRawAndJsonEscapedUntilReleased() {
        SecretValues values = SecretValues.of(java.util.Map.of("P", "a/b\\c\"d"));
        String line = "{\"message\":\"raw a/b\\c\"d json a\\/b\\\\c\\\"d\"}";
        LogRedaction.register(values);
        try {
            assertThat(new String(LogRedaction.mask(line.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                    .isEqualTo("{\"message\":\"raw *** json ***\"}");
        } finally {
            LogRedaction.release(values);
        }
        assertThat(new String(LogRedaction.mask(line.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).isEqualTo(line);
    }
}
