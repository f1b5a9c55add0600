package io.airlock.core.crypto;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for streams of any length, in chunks of 1 MiB that are each authenticated, so
 * neither side ever holds more than one chunk. The layout follows the STREAM construction:
 *
 * <pre>
 * header     "ALS2" || salt (16 random bytes) || nonce prefix (7 random bytes)
 * stream key HMAC-SHA256(key, "airlock stream key v1" || salt || associated data)
 * chunk i    AES-GCM(stream key, nonce = prefix || i (4 bytes, big-endian) || last (1 byte), associated data)
 * </pre>
 *
 * Each stream gets a key of its own (as in Tink's AES-GCM-HKDF streaming AEAD), so the 7-byte
 * random nonce prefix only has to be unique within one stream, however many streams one tenant
 * key seals over its life.
 *
 * Every chunk but the last holds exactly 1 MiB of plaintext; the last (possibly empty) carries the
 * "last" flag. Reordered, dropped, truncated or appended chunks therefore fail authentication,
 * as does a stream moved to another context.
 */
public final class SealedStreams {
    static final int CHUNK = 1 << 20;
    private static final byte[] MAGIC = {'A', 'L', 'S', '2'};
    private static final int SALT = 16;
    private static final int PREFIX = 7;
    private static final int TAG = Aead.TAG_BITS / 8;
    static final int HEADER = MAGIC.length + SALT + PREFIX;
    private static final int INITIAL_BUFFER = 16 * 1024;

    private SealedStreams() {}

    /** The size of the sealed form of {@code plaintextBytes} bytes. */
    public static long sealedSize(long plaintextBytes) {
        long chunks = Math.max(1, (plaintextBytes + CHUNK - 1) / CHUNK); // a full last chunk carries the flag itself
        return HEADER + plaintextBytes + chunks * TAG;
    }

    /**
     * An output stream that seals what is written to it into {@code out}. Closing it writes the
     * last chunk and closes {@code out}; a stream not closed is not a valid sealed stream.
     */
    public static OutputStream sealing(OutputStream out, SecretKey key, byte[] associatedData) throws IOException {
        byte[] salt = Aead.randomBytes(SALT);
        byte[] prefix = Aead.randomBytes(PREFIX);
        out.write(MAGIC);
        out.write(salt);
        out.write(prefix);
        return new Sealer(out, streamKey(key, salt, associatedData), associatedData, prefix);
    }

    /**
     * An input stream of the plaintext sealed in {@code in}. A read that meets a chunk failing
     * authentication throws an {@link IOException} whose cause is an {@link IntegrityException};
     * plaintext of a chunk is returned only once that chunk has been authenticated.
     */
    public static InputStream opening(InputStream in, SecretKey key, byte[] associatedData) throws IOException {
        byte[] header = in.readNBytes(HEADER);
        if (header.length != HEADER || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(new IntegrityException("not a sealed stream: bad or missing header"));
        }
        byte[] salt = Arrays.copyOfRange(header, MAGIC.length, MAGIC.length + SALT);
        return new Opener(in, streamKey(key, salt, associatedData), associatedData, Arrays.copyOfRange(header, MAGIC.length + SALT, HEADER));
    }

    /** The stream's own key: HMAC-SHA256 of the salt and context under the caller's key (an HKDF-extract). */
    private static SecretKey streamKey(SecretKey key, byte[] salt, byte[] associatedData) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            mac.update("airlock stream key v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            mac.update(salt);
            return Aead.key(mac.doFinal(associatedData));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available in every JDK", e);
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] prefix, int index, boolean last, byte[] ad) {
        byte[] nonce = ByteBuffer.allocate(Aead.NONCE_BYTES).put(prefix).putInt(index).put((byte) (last ? 1 : 0)).array();
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(Aead.TAG_BITS, nonce));
            c.updateAAD(ad);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is available in every JDK", e);
        }
    }

    private static final class Sealer extends FilterOutputStream {
        private final SecretKey key;
        private final byte[] ad;
        private final byte[] prefix;
        private byte[] buffer = new byte[INITIAL_BUFFER]; // grows to CHUNK: small files stay cheap
        private int filled;
        private int index;
        private boolean closed;

        Sealer(OutputStream out, SecretKey key, byte[] ad, byte[] prefix) {
            super(out);
            this.key = key;
            this.ad = ad;
            this.prefix = prefix;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("sealing stream is closed");
            }
            while (len > 0) {
                if (filled == CHUNK) {
                    emit(false); // only now do we know more follows, so this chunk is not the last
                }
                int n = Math.min(len, CHUNK - filled);
                if (filled + n > buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, Math.min(CHUNK, Math.max(filled + n, buffer.length * 2)));
                }
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void emit(boolean last) throws IOException {
            if (index == Integer.MAX_VALUE) {
                throw new IOException("sealed stream too long: more than 2^31 chunks");
            }
            try {
                out.write(cipher(Cipher.ENCRYPT_MODE, key, prefix, index++, last, ad).doFinal(buffer, 0, filled));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM encryption cannot fail", e);
            }
            filled = 0;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                emit(true);
                out.flush();
            } finally {
                out.close();
            }
        }
    }

    private static final class Opener extends InputStream {
        private final InputStream in;
        private final SecretKey key;
        private final byte[] ad;
        private final byte[] prefix;
        private byte[] sealed = new byte[INITIAL_BUFFER];
        private int carried; // bytes of the next chunk already read while looking for the end
        private byte[] plain = new byte[0];
        private int pos;
        private int index;
        private boolean done;

        Opener(InputStream in, SecretKey key, byte[] ad, byte[] prefix) {
            this.in = in;
            this.key = key;
            this.ad = ad;
            this.prefix = prefix;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == plain.length) {
                if (done) {
                    return -1;
                }
                next();
            }
            int n = Math.min(len, plain.length - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Reads one chunk and one byte beyond it: that byte's absence is what marks the last chunk. */
        private void next() throws IOException {
            int want = CHUNK + TAG + 1;
            int got = carried;
            while (got < want) { // fill, growing the buffer only as far as the stream is long
                if (got == sealed.length) {
                    sealed = Arrays.copyOf(sealed, Math.min(want, sealed.length * 2));
                }
                int n = in.read(sealed, got, sealed.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            boolean last = got < want;
            int chunkBytes = last ? got : CHUNK + TAG;
            if (chunkBytes < TAG) {
                throw new IOException(new IntegrityException("sealed stream truncated in chunk " + index));
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, key, prefix, index++, last, ad).doFinal(sealed, 0, chunkBytes);
            } catch (AEADBadTagException e) {
                throw new IOException(new IntegrityException(
                        "sealed stream chunk " + (index - 1) + " failed authentication: wrong key or context, altered or truncated"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is available in every JDK", e);
            }
            pos = 0;
            if (last) {
                done = true;
                carried = 0;
            } else {
                sealed[0] = sealed[CHUNK + TAG];
                carried = 1;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Reads all of a sealed stream's plaintext; for tests and small objects. */
    public static byte[] openAll(InputStream in, SecretKey key, byte[] associatedData) throws IOException {
        try (InputStream opened = opening(in, key, associatedData)) {
            return opened.readAllBytes();
        } catch (EOFException e) {
            throw new IOException(new IntegrityException("sealed stream truncated"));
        }
    }
}
