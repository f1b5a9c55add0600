package io.airlock.server.envd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartReaderTest {
    // the shape undici's FormData (the JS SDK's transport) produces
    private static final String BOUNDARY = "----formdata-undici-004750719996";
    private static final String BODY = "------formdata-undici-004750719996\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"/home/user/dir with space/a.txt\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "line\r\n--not a boundary\r\n------formdata-undici-00475071999\r\n"
            + "\r\n------formdata-undici-004750719996\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"rel/\u00fc.txt\"\r\n\r\n"
            + "second\r\n------formdata-undici-004750719996--\r\n";

    @Test
    void parsesPartsAcrossAnyReadSize() throws IOException {
        for (int chunk : new int[] {1, 2, 3, 7, 64, 1 << 20}) {
            List<String> seen = parse(trickle(BODY.getBytes(StandardCharsets.UTF_8), chunk));
            assertThat(seen).as("reads of %d bytes", chunk).containsExactly(
                    "file|/home/user/dir with space/a.txt|line\r\n--not a boundary\r\n------formdata-undici-00475071999\r\n",
                    "file|rel/\u00fc.txt|second");
        }
    }

    @Test
    void boundary_fromContentType() throws IOException {
        assertThat(MultipartReader.boundary("multipart/form-data; boundary=" + BOUNDARY)).isEqualTo(BOUNDARY);
        assertThat(MultipartReader.boundary("multipart/form-data; charset=utf-8; boundary=\"a b\"")).isEqualTo("a b");
        assertThatThrownBy(() -> MultipartReader.boundary("multipart/form-data")).isInstanceOf(UploadException.class)
                .hasMessageContaining("boundary");
    }

    @Test
    void filename_quotedEscapedAndExtended() {
        assertThat(part("form-data; name=\"file\"; filename=\"a\\\"b\"").filename()).isEqualTo("a\"b");
        assertThat(part("form-data; name=file; filename*=UTF-8''%C3%BC%20x.txt; filename=\"fallback\"").filename())
                .isEqualTo("\u00fc x.txt");
        assertThat(part("form-data; name=\"file\"").filename()).isNull();
        assertThat(part("form-data; name=\"file\"").name()).isEqualTo("file");
    }

    @Test
    void malformedBodies_fail400() {
        for (String body : List.of(
                "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end",
                "--b\r\nno colon here\r\n\r\nx\r\n--b--",
                "--b",
                "--bXX\r\n",
                "")) {
            assertThatThrownBy(() -> parse(new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), "b")))
                    .as(body).isInstanceOf(UploadException.class)
                    .satisfies(e -> assertThat(((UploadException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void oversizedHeaders_fail() {
        String body = "--b\r\nX-Big: " + "h".repeat(MultipartReader.MAX_HEADER_BYTES) + "\r\n\r\nx\r\n--b--";
        assertThatThrownBy(() -> parse(new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), "b")))
                .isInstanceOf(UploadException.class).hasMessageContaining("headers");
    }

    private static MultipartReader.Part part(String disposition) {
        return new MultipartReader.Part(java.util.Map.of("content-disposition", disposition), InputStream.nullInputStream());
    }

    private static List<String> parse(InputStream in) throws IOException {
        return parse(new MultipartReader(in, BOUNDARY));
    }

    private static List<String> parse(MultipartReader reader) throws IOException {
        List<String> seen = new ArrayList<>();
        for (MultipartReader.Part p; (p = reader.next()) != null; ) {
            seen.add(p.name() + "|" + p.filename() + "|" + new String(p.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        return seen;
    }

    private static InputStream trickle(byte[] data, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }
}
