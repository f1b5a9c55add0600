package io.airlock.sdk;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream arriving in chunks as UTF-8, keeping a character split across two chunks
 * whole, and keeps what was decoded so far: all of it up to {@link #KEPT_CHARS}, then only the
 * newest that many (a program printing forever must not exhaust the caller's heap; callbacks see
 * every chunk regardless). Not thread-safe: one reader.
 */
final class Utf8Chunks {
    /** How much of a stream's text is kept for {@code CommandResult}: 64 Mi characters. */
    static final int KEPT_CHARS = 64 << 20;

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final StringBuffer all = new StringBuffer();
    private ByteBuffer pending = ByteBuffer.allocate(0);

    /** The text of this chunk, less a trailing incomplete character, which waits for the next. */
    String decode(byte[] chunk) {
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + chunk.length);
        in.put(pending).put(chunk).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        pending = in.slice();
        String text = out.flip().toString();
        all.append(text);
        if (all.length() > KEPT_CHARS) {
            all.delete(0, all.length() - KEPT_CHARS / 2); // keep the newest half, so trimming is rare
        }
        return text;
    }

    /** Everything decoded so far. */
    String text() {
        return all.toString();
    }
}
