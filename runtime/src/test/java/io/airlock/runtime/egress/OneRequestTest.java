package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OneRequestTest {
    private static OneRequest.Framed frame(String head) throws Exception {
        byte[] b = head.getBytes(StandardCharsets.US_ASCII);
        return OneRequest.frame(b, b.length);
    }

    private static String text(OneRequest.Framed f) {
        return new String(f.head(), StandardCharsets.US_ASCII);
    }

    @Test
    void frame_closesTheConnectionAndDropsHopByHopHeaders() throws Exception {
        OneRequest.Framed f = frame("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n");
        assertThat(text(f)).isEqualTo("GET / HTTP/1.1\r\nHost: a.test\r\nAccept: */*\r\nConnection: close\r\n\r\n");
        assertThat(f.bodyLength()).isZero();
    }

    @Test
    void frame_bodyLengthFromContentLength_orUnframedWhenChunked() throws Exception {
        assertThat(frame("POST /x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 12\r\n\r\n").bodyLength()).isEqualTo(12);
        assertThat(frame("POST /x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n").bodyLength()).isEqualTo(12);
        assertThat(frame("POST /x HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").bodyLength())
                .isEqualTo(OneRequest.UNFRAMED);
    }

    @Test
    void frame_refusesWhatCouldSmuggleASecondRequest() {
        assertThatThrownBy(() -> frame("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .isInstanceOf(OneRequest.Unframable.class).hasMessageContaining("smuggling");
        assertThatThrownBy(() -> frame("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"))
                .isInstanceOf(OneRequest.Unframable.class).hasMessageContaining("conflicting");
        assertThatThrownBy(() -> frame("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"))
                .isInstanceOf(OneRequest.Unframable.class);
        assertThatThrownBy(() -> frame("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"))
                .isInstanceOf(OneRequest.Unframable.class);
    }
}
