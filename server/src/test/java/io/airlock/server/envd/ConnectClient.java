package io.airlock.server.envd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A minimal Connect-JSON client for the tests: unary calls and server streams, envelopes parsed by hand. */
final class ConnectClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final EnvdServer server;

    ConnectClient(EnvdServer server) {
        this.server = server;
    }

    /** A unary answer: HTTP status, Content-Type and the JSON body. */
    record Unary(int status, String contentType, String connection, JsonNode body) {
        String code() {
            return body.path("code").asText();
        }

        String message() {
            return body.path("message").asText();
        }
    }

    /** One envelope of a stream. */
    record Frame(int flags, JsonNode json) {
        boolean endStream() {
            return (flags & 2) != 0;
        }

        /** The kind of a process event ({@code start}, {@code data}, …), or of a watch message. */
        String kind() {
            JsonNode e = json.has("event") ? json.get("event") : json;
            return e.fieldNames().hasNext() ? e.fieldNames().next() : "";
        }

        JsonNode event() {
            return json.has("event") ? json.get("event") : json;
        }
    }

    /** A server stream being read. */
    static final class Stream implements AutoCloseable {
        final int status;
        final String contentType;
        private final DataInputStream in;

        Stream(HttpResponse<InputStream> response) {
            this.status = response.statusCode();
            this.contentType = response.headers().firstValue("Content-Type").orElse("");
            this.in = new DataInputStream(response.body());
        }

        /** The next envelope, or null at the end of the body. */
        Frame next() throws IOException {
            int flags = in.read();
            if (flags < 0) {
                return null;
            }
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                throw new IOException("truncated envelope");
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("truncated envelope: " + body.length + " of " + length + " bytes");
            }
            return new Frame(flags, JSON.readTree(body));
        }

        /** The next frame that is not a keepalive. */
        Frame nextSkippingKeepalives() throws IOException {
            Frame f;
            do {
                f = next();
            } while (f != null && !f.endStream() && f.kind().equals("keepalive"));
            return f;
        }

        /** Every remaining frame, through the end-stream one. */
        List<Frame> rest() throws IOException {
            List<Frame> frames = new ArrayList<>();
            for (Frame f = next(); f != null; f = next()) {
                frames.add(f);
                if (f.endStream()) {
                    break;
                }
            }
            return frames;
        }

        /** The raw remaining body (for non-200 answers). */
        String body() throws IOException {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    Unary unary(String sandboxId, String rpc, String json, String... headers) throws Exception {
        return unaryRaw(sandboxId, rpc, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    Unary unaryRaw(String sandboxId, String rpc, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = server.request(sandboxId, "/" + rpc)
                .header("Content-Type", contentType)
                .header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = server.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String text = r.body();
        JsonNode node = text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        return new Unary(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Connection").orElse(""), node);
    }

    Stream stream(String sandboxId, String rpc, String json, String... headers) throws Exception {
        return streamRaw(sandboxId, rpc, "application/connect+json", envelope(json), headers);
    }

    Stream streamRaw(String sandboxId, String rpc, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = server.request(sandboxId, "/" + rpc)
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", contentType)
                .header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        return new Stream(server.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    static byte[] envelope(String json) {
        byte[] msg = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(msg.length).put(msg).array();
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String text(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
    }
}
