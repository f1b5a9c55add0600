package io.airlock.server.envd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileSignatureTest {
    // Expected values computed with the e2b JS SDK's algorithm (sha256, btoa, trailing '=' removed).
    @Test
    void sign_matchesTheSdk_withoutExpiration() {
        assertThat(FileSignature.sign("/home/user/a b.txt", "read", "user", "tok123", null))
                .isEqualTo("v1_GQlIcsb/LwV59+hwZmcXGPPkldguQgCHaWkaRrks0To");
    }

    @Test
    void sign_matchesTheSdk_withExpirationAndNoUser() {
        assertThat(FileSignature.sign("/home/user/a b.txt", "write", "", "tok123", 1_700_000_000L))
                .isEqualTo("v1_WPwdJg54o69JkISVaFhu8VQx0aUIWtJkgiefjPOjxzw");
    }

    @Test
    void sign_emptyPath() {
        assertThat(FileSignature.sign("", "write", "root", "tok", null)).isEqualTo("v1_dbprG6JV4J4kndpNCAM76+rOBWLbYk1kiiVebZ5d1QQ");
    }

    @Test
    void valid_onlyForTheSignedTuple() {
        String sig = FileSignature.sign("/a", "read", "user", "tok", 10L);
        assertThat(FileSignature.valid(sig, "/a", "read", "user", "tok", 10L)).isTrue();
        assertThat(FileSignature.valid(sig, "/b", "read", "user", "tok", 10L)).isFalse();
        assertThat(FileSignature.valid(sig, "/a", "write", "user", "tok", 10L)).isFalse();
        assertThat(FileSignature.valid(sig, "/a", "read", "root", "tok", 10L)).isFalse();
        assertThat(FileSignature.valid(sig, "/a", "read", "user", "other", 10L)).isFalse();
        assertThat(FileSignature.valid(sig, "/a", "read", "user", "tok", 11L)).isFalse();
        assertThat(FileSignature.valid(sig, "/a", "read", "user", "tok", null)).isFalse();
        assertThat(FileSignature.valid(sig + "=", "/a", "read", "user", "tok", 10L)).isFalse();
    }
}
