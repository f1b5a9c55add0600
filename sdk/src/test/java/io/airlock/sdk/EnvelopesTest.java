package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Connect envelope codec, without a server. */
class EnvelopesTest {
    @Test
    void envelope_prefixesFlagAndBigEndianLength() {
        byte[] e = Envelopes.envelope(Json.object().put("a", 1));
        assertThat(e[0]).isZero();
        assertThat(((e[1] & 0xFF) << 24) | ((e[2] & 0xFF) << 16) | ((e[3] & 0xFF) << 8) | (e[4] & 0xFF)).isEqualTo(e.length - 5);
        assertThat(new String(e, 5, e.length - 5, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void next_readsMessagesThenEndsAtTheEndStreamMessage() throws Exception {
        Envelopes in = reading(message(0, "{\"x\":1}"), message(0, "{\"x\":2}"), message(2, "{}"));
        assertThat(in.next()).hasValueSatisfying(m -> assertThat(m.get("x").asInt()).isEqualTo(1));
        assertThat(in.next()).hasValueSatisfying(m -> assertThat(m.get("x").asInt()).isEqualTo(2));
        assertThat(in.next()).isEmpty();
        assertThat(in.next()).isEmpty();
    }

    @Test
    void next_endStreamWithError_throwsTheMappedException() {
        Envelopes in = reading(message(2, "{\"error\":{\"code\":\"not_found\",\"message\":\"process with pid 7 is not running\"}}"));
        assertThatThrownBy(in::next).isInstanceOf(NotFoundException.class)
                .hasMessage("call: process with pid 7 is not running (not_found)");
    }

    @Test
    void next_deadlineExceeded_throwsTimeout() {
        Envelopes in = reading(message(2, "{\"error\":{\"code\":\"deadline_exceeded\",\"message\":\"too slow\"}}"));
        assertThatThrownBy(in::next).isInstanceOf(TimeoutException.class);
    }

    @Test
    void next_connectionEndsWithoutEndStream_throwsEof() throws Exception {
        Envelopes in = reading(message(0, "{}"));
        in.next();
        assertThatThrownBy(in::next).isInstanceOf(EOFException.class).hasMessageContaining("without its end message");
    }

    private static Envelopes reading(byte[]... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            all.writeBytes(m);
        }
        return new Envelopes(new ByteArrayInputStream(all.toByteArray()), "call");
    }

    private static byte[] message(int flags, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 5];
        out[0] = (byte) flags;
        out[4] = (byte) body.length;
        System.arraycopy(body, 0, out, 5, body.length);
        return out;
    }
}
