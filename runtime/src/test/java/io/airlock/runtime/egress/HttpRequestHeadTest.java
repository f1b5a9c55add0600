package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpRequestHeadTest {
    @Test
    void parse_originFormWithHost_request() {
        String head = "GET /index.html?q=1 HTTP/1.1\r\nhOsT: A.Test\r\nAccept: */*\r\n\r\n";

        Head.Request r = request(head + "body");

        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.target()).isEqualTo("/index.html?q=1");
        assertThat(r.version()).isEqualTo("HTTP/1.1");
        assertThat(r.form()).isEqualTo(Head.Form.ORIGIN);
        assertThat(r.hostHeader()).contains("a.test");
        assertThat(r.hostPort()).isEqualTo(-1);
        assertThat(r.hostAddress()).isEmpty();
        assertThat(r.targetHost()).isEmpty();
        assertThat(r.targetPort()).isEqualTo(-1);
        assertThat(r.headLength()).isEqualTo(head.length());
    }

    @Test
    void parse_hostWithPortAndWhitespace_request() {
        Head.Request r = request("GET / HTTP/1.1\r\nHost:\t a.test:8080 \r\n\r\n");

        assertThat(r.hostHeader()).contains("a.test");
        assertThat(r.hostPort()).isEqualTo(8080);
    }

    @Test
    void parse_absoluteForm_targetAndDefaultPort() {
        Head.Request r = request("GET HTTP://A.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n");

        assertThat(r.form()).isEqualTo(Head.Form.ABSOLUTE);
        assertThat(r.targetHost()).contains("a.test");
        assertThat(r.targetAddress()).isEmpty();
        assertThat(r.targetPort()).isEqualTo(80);
    }

    @Test
    void parse_absoluteFormWithPortAndNoPath_target() {
        Head.Request r = request("GET http://a.test:8080?x HTTP/1.0\r\n\r\n");

        assertThat(r.targetHost()).contains("a.test");
        assertThat(r.targetPort()).isEqualTo(8080);
        assertThat(r.hostHeader()).isEmpty();
    }

    @Test
    void parse_absoluteFormIpLiterals_address() {
        Head.Request v4 = request("GET http://10.1.2.3/ HTTP/1.0\r\n\r\n");
        Head.Request v6 = request("GET http://[::1]:81/ HTTP/1.0\r\n\r\n");

        assertThat(v4.targetHost()).isEmpty();
        assertThat(v4.targetAddress()).contains("10.1.2.3");
        assertThat(v6.targetAddress()).contains("0:0:0:0:0:0:0:1");
        assertThat(v6.targetPort()).isEqualTo(81);
    }

    @Test
    void parse_absoluteFormHostMismatch_invalid() {
        assertInvalid("GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", "another host");
    }

    @Test
    void parse_absoluteFormOtherScheme_invalid() {
        assertInvalid("GET https://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", "not origin-form");
    }

    @Test
    void parse_absoluteFormUserinfo_invalid() {
        assertInvalid("GET http://a.test@b.test/ HTTP/1.0\r\n\r\n", "userinfo");
    }

    @Test
    void parse_connect_authorityForm() {
        Head.Request r = request("CONNECT A.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n");

        assertThat(r.form()).isEqualTo(Head.Form.AUTHORITY);
        assertThat(r.targetHost()).contains("a.test");
        assertThat(r.targetPort()).isEqualTo(443);
    }

    @Test
    void parse_connectWithoutOrBadPort_invalid() {
        assertInvalid("CONNECT a.test HTTP/1.1\r\nHost: a.test\r\n\r\n", "no port");
        assertInvalid("CONNECT a.test:0 HTTP/1.1\r\nHost: a.test\r\n\r\n", "port 0");
        assertInvalid("CONNECT a.test:65536 HTTP/1.1\r\nHost: a.test\r\n\r\n", "port 65536");
        assertInvalid("CONNECT a.test: HTTP/1.1\r\nHost: a.test\r\n\r\n", "invalid port");
        assertInvalid("CONNECT /x HTTP/1.1\r\nHost: a.test\r\n\r\n", "CONNECT target");
    }

    @Test
    void parse_asterisk_onlyWithOptions() {
        assertThat(request("OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n").form()).isEqualTo(Head.Form.ASTERISK);
        assertInvalid("GET * HTTP/1.1\r\nHost: a.test\r\n\r\n", "not OPTIONS");
    }

    @Test
    void parse_duplicateHost_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\r\nhost: a.test\r\n\r\n", "more than one Host");
    }

    @Test
    void parse_hostWithUserinfo_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost: user@a.test\r\n\r\n", "userinfo");
    }

    @Test
    void parse_hostNotAName_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost: a_b!.test\r\n\r\n", "neither a host name");
        assertInvalid("GET / HTTP/1.1\r\nHost:\r\n\r\n", "empty");
        assertInvalid("GET / HTTP/1.1\r\nHost: 010.0.0.1\r\n\r\n", "neither a host name");
        assertInvalid("GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", "more than one ':'");
    }

    @Test
    void parse_ipLiteralHost_addressNotName() {
        Head.Request v4 = request("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
        Head.Request mapped = request("GET / HTTP/1.1\r\nHost: [::ffff:7f00:1]\r\n\r\n");

        assertThat(v4.hostHeader()).isEmpty();
        assertThat(v4.hostAddress()).contains("127.0.0.1");
        assertThat(v4.hostPort()).isEqualTo(8080);
        assertThat(mapped.hostAddress()).contains("127.0.0.1");
    }

    @Test
    void parse_http11WithoutHost_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "without a Host");
        assertThat(request("GET / HTTP/1.0\r\n\r\n").hostHeader()).isEqualTo(Optional.empty());
    }

    @Test
    void parse_incompleteHead_needsMoreUntilMaxHead() {
        byte[] buf = new byte[HttpRequestHead.MAX_HEAD + 10];
        byte[] start = "GET / HTTP/1.1\r\nHost: a.test\r\nX-Pad: ".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(buf, (byte) 'a');
        System.arraycopy(start, 0, buf, 0, start.length);

        assertThat(HttpRequestHead.parse(buf, 0)).isEqualTo(new Head.NeedMore());
        assertThat(HttpRequestHead.parse(buf, HttpRequestHead.MAX_HEAD - 1)).isEqualTo(new Head.NeedMore());
        assertThat(HttpRequestHead.parse(buf, HttpRequestHead.MAX_HEAD)).isInstanceOf(Head.Invalid.class);
        assertThat(HttpRequestHead.parse(buf, buf.length)).isInstanceOf(Head.Invalid.class);
    }

    @Test
    void parse_headEndingExactlyAtMaxHead_request() {
        String start = "GET / HTTP/1.1\r\nHost: a.test\r\nX-Pad: ";
        String head = start + "a".repeat(HttpRequestHead.MAX_HEAD - start.length() - 4) + "\r\n\r\n";

        assertThat(request(head).headLength()).isEqualTo(HttpRequestHead.MAX_HEAD);
    }

    @Test
    void parse_everyPrefix_needsMore() {
        String head = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
        byte[] buf = head.getBytes(StandardCharsets.US_ASCII);

        for (int n = 0; n < buf.length; n++) {
            assertThat(HttpRequestHead.parse(buf, n)).as("prefix of %d", n).isEqualTo(new Head.NeedMore());
        }
    }

    @Test
    void parse_bareLf_invalidEvenBeforeTheHeadEnds() {
        assertInvalid("GET / HTTP/1.1\nHost: a.test\n\n", "bare LF");
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\n", "bare LF");
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\rX: y\r\n\r\n", "bare CR");
    }

    @Test
    void parse_obsFold_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\r\nX-A: 1\r\n  2\r\n\r\n", "obs-fold");
    }

    @Test
    void parse_badHeaderSyntax_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost : a.test\r\n\r\n", "no valid 'name:'");
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\r\nno colon\r\n\r\n", "no valid 'name:'");
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\r\n: x\r\n\r\n", "no valid 'name:'");
    }

    @Test
    void parse_controlAndNonAsciiBytes_invalid() {
        assertInvalid("GET / HTTP/1.1\r\nHost: a.test\u0000\r\n\r\n", "control byte 0x00");
        assertInvalid("\u0016\u0003\u0001", "control byte 0x16");
        byte[] utf8 = "GET /é HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(HttpRequestHead.parse(utf8, utf8.length)).isInstanceOf(Head.Invalid.class);
    }

    @Test
    void parse_badRequestLine_invalid() {
        assertInvalid("GET /\r\n\r\n", "HTTP/0.9");
        assertInvalid("GET /\r\n", "HTTP/0.9");
        assertInvalid("GET  / HTTP/1.1\r\nHost: a.test\r\n\r\n", "request line");
        assertInvalid("GET / HTTP/2.0\r\nHost: a.test\r\n\r\n", "unsupported HTTP version");
        assertInvalid("G(T / HTTP/1.1\r\nHost: a.test\r\n\r\n", "not a token");
        assertInvalid("\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", "request line");
        assertInvalid("GET /\ta HTTP/1.1\r\nHost: a.test\r\n\r\n", "whitespace");
    }

    private static Head.Request request(String text) {
        byte[] buf = text.getBytes(StandardCharsets.US_ASCII);
        Head head = HttpRequestHead.parse(buf, buf.length);
        assertThat(head).isInstanceOf(Head.Request.class);
        return (Head.Request) head;
    }

    private static void assertInvalid(String text, String reasonPart) {
        byte[] buf = text.getBytes(StandardCharsets.ISO_8859_1);
        Head head = HttpRequestHead.parse(buf, buf.length);
        assertThat(head).isInstanceOf(Head.Invalid.class);
        assertThat(((Head.Invalid) head).reason()).contains(reasonPart);
    }
}
