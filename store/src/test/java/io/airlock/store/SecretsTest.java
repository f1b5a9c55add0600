package io.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void newKey_isWellFormed_andRandom() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String key = Secrets.newKey();
            assertThat(key).matches("e2b_[0-9a-f]{40}");
            assertThat(Secrets.wellFormed(key)).isTrue();
            seen.add(key);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void id_isPrefixedBase32() {
        assertThat(Secrets.id("t_")).matches("t_[a-z2-7]{20}");
        assertThat(Secrets.id("t_")).isNotEqualTo(Secrets.id("t_"));
    }

    @Test
    void hash_isSha256Hex_ofTheWholeKey() throws Exception {
        String key = "e2b_0123456789abcdef0123456789abcdef01234567";
        assertThat(Secrets.hash(key)).isEqualTo(StoreContract.sha256Hex(key)).hasSize(64);
        assertThat(Secrets.sameHash(Secrets.hash(key), Secrets.hash(key))).isTrue();
        assertThat(Secrets.sameHash(Secrets.hash(key), Secrets.hash(key.replace('7', '8')))).isFalse();
    }

    @Test
    void displayPrefix_isE2bAndEightHexDigits() {
        assertThat(Secrets.displayPrefix("e2b_0123456789abcdef0123456789abcdef01234567")).isEqualTo("e2b_01234567");
    }
}
