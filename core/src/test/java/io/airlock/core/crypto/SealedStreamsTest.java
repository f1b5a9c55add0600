package io.airlock.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.SecretKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SealedStreamsTest {
    private static final int CHUNK = SealedStreams.CHUNK;
    private final SecretKey key = Aead.newKey();
    private final byte[] ad = Aead.context("test", "tenant-a", "blob-1");

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17})
    void roundTripsAnyLengthAndHasTheDocumentedSize(int length) throws IOException {
        byte[] plain = random(length);
        byte[] sealed = seal(plain, 7777);
        assertThat(sealed.length).isEqualTo(SealedStreams.sealedSize(length));
        assertThat(SealedStreams.openAll(new ByteArrayInputStream(sealed), key, ad)).isEqualTo(plain);
    }

    @Test
    void theCiphertextDoesNotContainThePlaintext() throws IOException {
        byte[] plain = "the quick brown fox; ".repeat(1000).getBytes();
        byte[] sealed = seal(plain, 4096);
        assertThat(indexOf(sealed, "quick brown".getBytes())).isEqualTo(-1);
    }

    @Test
    void truncationAtAChunkBoundaryFailsAuthentication() throws IOException {
        byte[] sealed = seal(random(2 * CHUNK + 5), 65536);
        int firstChunkEnd = SealedStreams.HEADER + CHUNK + 16;
        byte[] cut = Arrays.copyOf(sealed, firstChunkEnd); // a whole first chunk, nothing after it
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(cut), key, ad))
                .isInstanceOf(IOException.class).hasCauseInstanceOf(IntegrityException.class);
    }

    @Test
    void reorderedChunksFailAuthentication() throws IOException {
        byte[] sealed = seal(random(2 * CHUNK), 65536);
        int c = CHUNK + 16;
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, SealedStreams.HEADER + c, swapped, SealedStreams.HEADER, c);
        System.arraycopy(sealed, SealedStreams.HEADER, swapped, SealedStreams.HEADER + c, c);
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(swapped), key, ad))
                .hasCauseInstanceOf(IntegrityException.class);
    }

    @Test
    void anotherContextOrKeyOrAFlippedBitFailsAuthentication() throws IOException {
        byte[] sealed = seal(random(5000), 100);
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(sealed), key, Aead.context("test", "tenant-b", "blob-1")))
                .hasCauseInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(sealed), Aead.newKey(), ad))
                .hasCauseInstanceOf(IntegrityException.class);
        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(flipped), key, ad))
                .hasCauseInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(new byte[3]), key, ad))
                .hasCauseInstanceOf(IntegrityException.class);
    }

    @Test
    void everyStreamHasAKeyOfItsOwn_soAHeaderFromAnotherStreamFails() throws IOException {
        byte[] plain = random(4000);
        byte[] a = seal(plain, 100);
        byte[] b = seal(plain, 100);
        assertThat(Arrays.copyOfRange(a, SealedStreams.HEADER, a.length))
                .as("same key, context and plaintext, yet another ciphertext").isNotEqualTo(Arrays.copyOfRange(b, SealedStreams.HEADER, b.length));
        byte[] spliced = b.clone();
        System.arraycopy(a, 0, spliced, 0, SealedStreams.HEADER);
        assertThatThrownBy(() -> SealedStreams.openAll(new ByteArrayInputStream(spliced), key, ad))
                .hasCauseInstanceOf(IntegrityException.class);
    }

    @Test
    void aeadValuesAreBoundToTheirContext() {
        byte[] sealed = Aead.seal(key, ad, "v".getBytes());
        assertThat(Aead.open(key, ad, sealed)).isEqualTo("v".getBytes());
        assertThatThrownBy(() -> Aead.open(key, Aead.context("test", "tenant-b", "blob-1"), sealed)).isInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> Aead.open(key, ad, Arrays.copyOf(sealed, 10))).isInstanceOf(IntegrityException.class);
        assertThat(Aead.seal(key, ad, "v".getBytes())).isNotEqualTo(sealed); // fresh nonce each time
    }

    /** Seals {@code plain}, writing it in pieces of {@code piece} bytes. */
    private byte[] seal(byte[] plain, int piece) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream s = SealedStreams.sealing(out, key, ad)) {
            for (int i = 0; i < plain.length; i += piece) {
                s.write(plain, i, Math.min(piece, plain.length - i));
            }
        }
        return out.toByteArray();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
