package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The messages of a Connect server stream, JSON codec: envelopes of a flag byte, a 4-byte
 * big-endian length and a JSON message. Flag {@code 0x02} marks the end-of-stream message, which
 * carries {@code error} when the call failed. Not thread-safe: one reader.
 */
final class Envelopes implements Closeable {
    private static final int END_STREAM = 0x02;
    private static final int MAX_MESSAGE = 64 << 20;

    private final InputStream in;
    private final String what;
    private boolean ended;

    Envelopes(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** One request message in its envelope. */
    static byte[] envelope(JsonNode message) {
        byte[] json = Json.bytes(message);
        byte[] out = new byte[json.length + 5];
        out[1] = (byte) (json.length >>> 24);
        out[2] = (byte) (json.length >>> 16);
        out[3] = (byte) (json.length >>> 8);
        out[4] = (byte) json.length;
        System.arraycopy(json, 0, out, 5, json.length);
        return out;
    }

    /**
     * The next message; empty once the stream ended successfully.
     *
     * @throws AirlockException the error the end-of-stream message carries
     * @throws EOFException if the connection ended without an end-of-stream message (the sandbox died)
     */
    Optional<JsonNode> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        byte[] head = in.readNBytes(5);
        if (head.length < 5) {
            throw new EOFException("the stream broke off without its end message (was the sandbox killed?)");
        }
        int flags = head[0] & 0xFF;
        long length = ((head[1] & 0xFFL) << 24) | ((head[2] & 0xFFL) << 16) | ((head[3] & 0xFFL) << 8) | (head[4] & 0xFFL);
        if (length > MAX_MESSAGE) {
            throw new IOException("a stream message of " + length + " bytes is over the SDK's limit of " + MAX_MESSAGE);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new EOFException("the stream broke off inside a message");
        }
        JsonNode message = Json.parse(body);
        if ((flags & END_STREAM) != 0) {
            ended = true;
            JsonNode error = message.path("error");
            if (error.isObject()) {
                String code = Json.text(error, "code");
                throw Errors.connect(code.isEmpty() ? "unknown" : code, Json.text(error, "message"), what, 200);
            }
            return Optional.empty();
        }
        return Optional.of(message);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // closing a response body only fails if the connection already did
        }
    }
}
