package io.airlock.server.envd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.CommandRunner;
import io.airlock.core.ProcessSpec;
import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnvdFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EnvdServer server;
    private static String id;

    @BeforeAll
    static void start() throws IOException {
        server = EnvdServer.start();
        id = server.sandbox().id();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- round trips ----

    @Test
    void octetStream_uploadThenDownload_text() throws Exception {
        HttpResponse<String> up = upload(id, "notes/hello.txt", "hello, sandbox\n".getBytes(StandardCharsets.UTF_8));
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        JsonNode entries = JSON.readTree(up.body());
        assertThat(entries.size()).isEqualTo(1);
        assertThat(entries.get(0).get("path").asText()).isEqualTo("/home/user/notes/hello.txt");
        assertThat(entries.get(0).get("name").asText()).isEqualTo("hello.txt");
        assertThat(entries.get(0).get("type").asText()).isEqualTo("file");

        HttpResponse<byte[]> down = download(id, "path=" + q("/home/user/notes/hello.txt"));
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(new String(down.body(), StandardCharsets.UTF_8)).isEqualTo("hello, sandbox\n");
        assertThat(down.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(down.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment; filename=\"hello.txt\"");
        assertThat(down.headers().firstValue("Content-Encoding")).isEmpty();
        // relative and ~ paths are the user's home; the file belongs to the user
        assertThat(download(id, "path=" + q("~/notes/hello.txt")).body()).isEqualTo(down.body());
        assertThat(sh(id, "stat -c %U /home/user/notes/hello.txt")).isEqualTo("user\n");
    }

    @Test
    void octetStream_uploadThenDownload_random3MiB() throws Exception {
        byte[] data = random(3 << 20, 1);
        assertThat(upload(id, "/tmp/random.bin", data).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> down = download(id, "path=" + q("/tmp/random.bin"));
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEqualTo(data);
    }

    @Test
    void emptyFile_hasContentLengthZero() throws Exception {
        assertThat(upload(id, "/tmp/empty", new byte[0]).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> down = download(id, "path=/tmp/empty");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEmpty();
        assertThat(down.headers().firstValue("Content-Length")).hasValue("0");
    }

    @Test
    void multipart_twoFilesInOneRequest_andOtherFieldsIgnored() throws Exception {
        byte[] a = random(200_000, 2);
        String boundary = "----airlockTestBoundary7MA4YWxkTrZu0gW";
        byte[] body = multipart(boundary, List.of(
                part("file", "/tmp/multi/a.bin", "", a),
                part("comment", null, "", "not a file".getBytes(StandardCharsets.UTF_8)),
                part("file", "multi/b.txt", "Content-Type: text/plain\r\n", "bee".getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> r = server.send(server.request(id, "/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode entries = JSON.readTree(r.body());
        assertThat(entries.size()).isEqualTo(2);
        assertThat(entries.get(0).get("path").asText()).isEqualTo("/tmp/multi/a.bin");
        assertThat(entries.get(1).get("path").asText()).isEqualTo("/home/user/multi/b.txt");
        assertThat(download(id, "path=/tmp/multi/a.bin").body()).isEqualTo(a);
        assertThat(download(id, "path=multi/b.txt").body()).isEqualTo("bee".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void multipart_pathParameterWinsOverFilename() throws Exception {
        String boundary = "xyz";
        byte[] body = multipart(boundary, List.of(part("file", "ignored.txt", "", "over".getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> r = server.send(server.request(id, "/files?path=" + q("/tmp/override.txt"))
                .header("Content-Type", "multipart/form-data; boundary=\"" + boundary + "\"")
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get(0).get("path").asText()).isEqualTo("/tmp/override.txt");
        assertThat(download(id, "path=/tmp/override.txt").body()).isEqualTo("over".getBytes(StandardCharsets.UTF_8));
        assertThat(download(id, "path=ignored.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void multipart_samePathTwice_is400() throws Exception {
        String boundary = "b0undary";
        byte[] body = multipart(boundary, List.of(
                part("file", "/tmp/twice", "", "1".getBytes(StandardCharsets.UTF_8)),
                part("file", "/tmp/twice", "", "2".getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> r = postMultipart(id, "", boundary, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("/tmp/twice");
        assertThat(download(id, "path=/tmp/twice").body()).isEqualTo("1".getBytes(StandardCharsets.UTF_8));
    }

    // ---- compression ----

    @Test
    void gzipUpload_octetStream_isDecompressed() throws Exception {
        byte[] data = ("compress me " + "x".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = server.send(server.request(id, "/files?path=" + q("/tmp/gz.txt"))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "gzip")
                .POST(BodyPublishers.ofByteArray(gzip(data))).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(download(id, "path=/tmp/gz.txt").body()).isEqualTo(data);
    }

    @Test
    void gzipUpload_perPart_isDecompressed() throws Exception {
        byte[] data = random(100_000, 3);
        String boundary = "partgzip";
        byte[] body = multipart(boundary, List.of(part("file", "/tmp/partgz.bin", "Content-Encoding: gzip\r\n", gzip(data))));
        HttpResponse<String> r = postMultipart(id, "", boundary, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(download(id, "path=/tmp/partgz.bin").body()).isEqualTo(data);
    }

    @Test
    void gzipUpload_notGzip_is400() throws Exception {
        HttpResponse<String> r = server.send(server.request(id, "/files?path=" + q("/tmp/notgz"))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "gzip")
                .POST(BodyPublishers.ofString("plain text, not gzip")).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("gzip");
    }

    @Test
    void gzipDownload_whenAccepted() throws Exception {
        byte[] data = random(1 << 20, 4);
        assertThat(upload(id, "/tmp/forgzip.bin", data).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> r = download(id, "path=/tmp/forgzip.bin", "Accept-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(r.body()[0]).isEqualTo((byte) 0x1f);
        assertThat(r.body()[1]).isEqualTo((byte) 0x8b);
        assertThat(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes()).isEqualTo(data);

        HttpResponse<byte[]> refused = download(id, "path=/tmp/forgzip.bin", "Accept-Encoding", "br, identity;q=0");
        assertThat(refused.statusCode()).isEqualTo(406);
    }

    // ---- metadata ----

    @Test
    void metadataHeaders_areStoredWithTheFile() throws Exception {
        HttpResponse<String> r = server.send(server.request(id, "/files?path=" + q("/tmp/meta.txt"))
                .header("Content-Type", "application/octet-stream")
                .header("X-Metadata-Owner", "alice")
                .header("x-metadata-Purpose", "round trip test")
                .POST(BodyPublishers.ofString("m")).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(server.service.files(id).stat("/tmp/meta.txt", "user").metadata())
                .isEqualTo(Map.of("owner", "alice", "purpose", "round trip test"));
        assertThat(JSON.readTree(r.body()).get(0).get("metadata").get("owner").asText()).isEqualTo("alice");

        HttpResponse<String> tooMuch = server.send(server.request(id, "/files?path=" + q("/tmp/meta2.txt"))
                .header("Content-Type", "application/octet-stream")
                .header("X-Metadata-Big", "v".repeat(5000))
                .POST(BodyPublishers.ofString("m")).build(), BodyHandlers.ofString());
        assertThat(tooMuch.statusCode()).as(tooMuch.body()).isEqualTo(400);
        assertThat(tooMuch.body()).contains("X-Metadata");
    }

    // ---- disk full ----

    @Test
    void diskFull_is507_andAGzipBombToo() throws Exception {
        Sandbox small = server.sandbox(new Resources(1.0, 512 * Resources.MIB, 256, 64 * Resources.MIB));
        HttpResponse<String> r = server.send(server.request(small.id(), "/files?path=" + q("/home/user/huge.bin"))
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofInputStream(() -> randomStream(100 << 20))).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        assertThat(JSON.readTree(r.body()).get("code").asInt()).isEqualTo(507);

        // 128 MiB of zeros is 128 KiB gzipped; /tmp is a tmpfs, so only the cap at the disk size stops it
        assertThat(sh(small.id(), "stat -f -c %T /tmp")).isEqualTo("tmpfs\n");
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 128; i++) {
                z.write(zeros);
            }
        }
        HttpResponse<String> b = server.send(server.request(small.id(), "/files?path=" + q("/tmp/bomb"))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "gzip")
                .POST(BodyPublishers.ofByteArray(bomb.toByteArray())).build(), BodyHandlers.ofString());
        assertThat(b.statusCode()).as(b.body()).isEqualTo(507);
        assertThat(b.body()).contains("larger than the sandbox's disk (64 MiB)");
        assertThat(download(small.id(), "path=/tmp/bomb").statusCode()).isEqualTo(404);
        // the sandbox still works
        assertThat(upload(small.id(), "/home/user/after.txt", "ok".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        server.service.kill(small.id());
    }

    // ---- what cannot be downloaded ----

    @Test
    void directory_is400() throws Exception {
        HttpResponse<byte[]> r = download(id, "path=/home/user");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("code").asInt()).isEqualTo(400);
    }

    @Test
    void fifo_is400_andDoesNotHang() throws Exception {
        sh(id, "mkfifo /home/user/pipe && chown user /home/user/pipe");
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = download(id, "path=/home/user/pipe");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("regular file");
        // uploading over it is refused as well
        HttpResponse<String> up = upload(id, "/home/user/pipe", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(up.statusCode()).as(up.body()).isEqualTo(400);
    }

    @Test
    void missingFile_is404_andPermissionDenied_is403() throws Exception {
        assertThat(download(id, "path=/no/such/file").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> shadow = download(id, "path=/etc/shadow");
        assertThat(shadow.statusCode()).isEqualTo(403);
        assertThat(download(id, "path=/etc/shadow&username=root").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownUser_is401() throws Exception {
        HttpResponse<byte[]> r = download(id, "path=/etc/hostname&username=nobody-here");
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(401);
    }

    @Test
    void symlinkToAHostPath_resolvesInsideTheSandbox() throws Exception {
        Path host = Files.createTempFile("airlock-envd-host-secret", ".txt");
        try {
            Files.writeString(host, "HOST SECRET");
            sh(id, "ln -sfn " + host + " /home/user/escape");
            HttpResponse<byte[]> gone = download(id, "path=/home/user/escape");
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(new String(gone.body(), StandardCharsets.UTF_8)).doesNotContain("HOST SECRET");

            sh(id, "mkdir -p " + host.getParent() + " && printf 'sandbox own' > " + host + " && chmod 644 " + host);
            HttpResponse<byte[]> own = download(id, "path=/home/user/escape");
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(new String(own.body(), StandardCharsets.UTF_8)).isEqualTo("sandbox own");
        } finally {
            Files.deleteIfExists(host);
        }
    }

    // ---- access ----

    @Test
    void missingOrWrongToken_is401() throws Exception {
        HttpRequest.Builder noToken = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files?path=/etc/hostname"))
                .header("E2b-Sandbox-Id", id);
        HttpResponse<String> r = server.send(noToken.build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("X-Access-Token");

        HttpResponse<String> wrong = server.send(noToken.copy().header("X-Access-Token", "nope").build(), BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> up = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files?path=/tmp/x"))
                .header("E2b-Sandbox-Id", id).header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(401);
        assertThat(download(id, "path=/tmp/x").statusCode()).isEqualTo(404);
    }

    @Test
    void insecureSandbox_needsNoToken() throws Exception {
        Sandbox open = server.sandbox(false, Map.of());
        try {
            sh(open.id(), "echo $HOSTNAME > /tmp/whoami && chmod 644 /tmp/whoami");
            HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files?path=/tmp/whoami"))
                    .header("E2b-Sandbox-Id", open.id()).build(), BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(open.id() + "\n");
        } finally {
            server.service.kill(open.id());
        }
    }

    @Test
    void signedUrls_workWithoutSandboxHeaderOrToken() throws Exception {
        String token = server.token(id);
        String path = "/tmp/signed file+1.txt";
        String write = FileSignature.sign(path, "write", "user", token, null);
        HttpResponse<String> up = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/files?path=" + q(path) + "&username=user&signature=" + q(write)))
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofString("signed content")).build(), BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);

        long exp = Instant.now().getEpochSecond() + 300;
        String read = FileSignature.sign(path, "read", "", token, exp);
        HttpResponse<String> down = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/files?path=" + q(path) + "&signature=" + q(read) + "&signature_expiration=" + exp)).build(), BodyHandlers.ofString());
        assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
        assertThat(down.body()).isEqualTo("signed content");

        // with the sandbox header but no token, the signature is checked against that sandbox
        HttpResponse<String> withHeader = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/files?path=" + q(path) + "&signature=" + q(read) + "&signature_expiration=" + exp))
                .header("E2b-Sandbox-Id", id).build(), BodyHandlers.ofString());
        assertThat(withHeader.statusCode()).isEqualTo(200);
    }

    @Test
    void signatures_expiredOrForSomethingElse_are401() throws Exception {
        String token = server.token(id);
        upload(id, "/tmp/s.txt", "s".getBytes(StandardCharsets.UTF_8));
        long past = Instant.now().getEpochSecond() - 10;
        String expired = FileSignature.sign("/tmp/s.txt", "read", "", token, past);
        HttpResponse<String> r = signedGet("/tmp/s.txt", expired, past);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("expired");
        HttpResponse<String> withHeader = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/files?path=" + q("/tmp/s.txt") + "&signature=" + q(expired) + "&signature_expiration=" + past))
                .header("E2b-Sandbox-Id", id).build(), BodyHandlers.ofString());
        assertThat(withHeader.statusCode()).isEqualTo(401);

        String otherPath = FileSignature.sign("/tmp/other.txt", "read", "", token, null);
        assertThat(signedGet("/tmp/s.txt", otherPath, null).statusCode()).isEqualTo(401);
        String writeSig = FileSignature.sign("/tmp/s.txt", "write", "", token, null);
        assertThat(signedGet("/tmp/s.txt", writeSig, null).statusCode()).isEqualTo(401);
        String otherToken = FileSignature.sign("/tmp/s.txt", "read", "", "not-the-token", null);
        assertThat(signedGet("/tmp/s.txt", otherToken, null).statusCode()).isEqualTo(401);
        // the expiration is signed: moving it is a different signature
        long future = Instant.now().getEpochSecond() + 60;
        assertThat(signedGet("/tmp/s.txt", FileSignature.sign("/tmp/s.txt", "read", "", token, future), future + 1)
                .statusCode()).isEqualTo(401);
        assertThat(signedGet("/tmp/s.txt", FileSignature.sign("/tmp/s.txt", "read", "", token, null), null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void noSandboxHeaderAndNoSignature_is400() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files?path=/etc/hostname"))
                .build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("E2b-Sandbox-Id");
    }

    // ---- bad requests ----

    @Test
    void missingPath_is400_namingPath() throws Exception {
        HttpResponse<byte[]> r = download(id, "");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("message").asText()).startsWith("path");
        HttpResponse<String> up = server.send(server.request(id, "/files")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(up.body()).get("message").asText()).startsWith("path");
    }

    @Test
    void malformedMultipart_is400() throws Exception {
        // no closing boundary
        HttpResponse<String> r = postMultipart(id, "", "abc",
                "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/tmp/cut\"\r\n\r\nhalf a file".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("multipart");
        // no boundary parameter
        HttpResponse<String> nb = server.send(server.request(id, "/files").header("Content-Type", "multipart/form-data")
                .POST(BodyPublishers.ofString("whatever")).build(), BodyHandlers.ofString());
        assertThat(nb.statusCode()).isEqualTo(400);
        assertThat(nb.body()).contains("boundary");
        // a part without a filename and no ?path=
        HttpResponse<String> nf = postMultipart(id, "", "abc",
                "--abc\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ndata\r\n--abc--\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(nf.statusCode()).isEqualTo(400);
        assertThat(nf.body()).contains("filename");
        // garbage
        HttpResponse<String> g = postMultipart(id, "", "abc", random(10_000, 9));
        assertThat(g.statusCode()).isEqualTo(400);
        // an unsupported content type
        HttpResponse<String> ct = server.send(server.request(id, "/files?path=/tmp/x").header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertThat(ct.statusCode()).isEqualTo(400);
        assertThat(download(id, "path=/tmp/cut").statusCode()).isEqualTo(404);
    }

    @Test
    void badSignatureExpiration_is400() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/files?path=/x&signature=v1_abc&signature_expiration=soon")).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("signature_expiration");
    }

    // ---- sandbox state ----

    @Test
    void pausedSandbox_is409_andKilledIs502() throws Exception {
        Sandbox s = server.sandbox();
        server.service.pause(s.id());
        HttpResponse<byte[]> paused = download(s.id(), "path=/etc/hostname");
        assertThat(paused.statusCode()).isEqualTo(409);
        assertThat(new String(paused.body(), StandardCharsets.UTF_8)).contains("paused");
        server.service.resume(s.id(), null);
        assertThat(download(s.id(), "path=/etc/hostname").statusCode()).isEqualTo(200);
        server.service.kill(s.id());
        assertThat(download(s.id(), "path=/etc/hostname").statusCode()).isEqualTo(502);
    }

    @Test
    void sandboxKilledMidDownload_breaksTheTransfer() throws Exception {
        Sandbox s = server.sandbox();
        sh(s.id(), "truncate -s 512M /tmp/sparse && chmod 644 /tmp/sparse");
        HttpResponse<InputStream> r = server.send(server.request(s.id(), "/files?path=/tmp/sparse").build(),
                BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            in.readNBytes(1 << 20);
            server.service.kill(s.id());
            assertThatThrownBy(() -> {
                long total = 1 << 20;
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    total += n;
                }
                throw new AssertionError("the download ended cleanly after " + total + " bytes");
            }).isInstanceOf(IOException.class);
        }
    }

    // ---- helpers ----

    private static HttpResponse<String> signedGet(String path, String signature, Long expiration) throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files?path=" + q(path) + "&signature=" + q(signature)
                + (expiration == null ? "" : "&signature_expiration=" + expiration))).build(), BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> download(String sandbox, String query, String... headers) throws Exception {
        HttpRequest.Builder b = server.request(sandbox, "/files" + (query.isEmpty() ? "" : "?" + query));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return server.send(b.build(), BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> upload(String sandbox, String path, byte[] data) throws Exception {
        return server.send(server.request(sandbox, "/files?path=" + q(path))
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(data)).build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> postMultipart(String sandbox, String query, String boundary, byte[] body) throws Exception {
        return server.send(server.request(sandbox, "/files" + query)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
    }

    private record Part(String name, String filename, String headers, byte[] data) {}

    private static Part part(String name, String filename, String headers, byte[] data) {
        return new Part(name, filename, headers, data);
    }

    private static byte[] multipart(String boundary, List<Part> parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("preamble to be ignored\r\n".getBytes(StandardCharsets.UTF_8));
        for (Part p : parts) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name() + "\""
                    + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"") + "\r\n" + p.headers() + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(p.data());
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String sh(String sandbox, String command) throws InterruptedException {
        CommandRunner.Result r = CommandRunner.run(server.service.spawn(sandbox, ProcessSpec.shell(command, "root")),
                Duration.ofSeconds(30), 1 << 20);
        assertThat(r.status().exitCode()).as(r.stderr()).isZero();
        return r.stdout();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static InputStream randomStream(long size) {
        Random random = new Random(42);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? random.nextInt(256) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
