package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostNamesTest {
    @Test
    void normalize_lowercasesAndDropsOneTrailingDot() {
        assertThat(HostNames.normalize("A.Test.")).contains("a.test");
        assertThat(HostNames.normalize("x-1_y.example")).contains("x-1_y.example");
    }

    @Test
    void normalize_rejectsWhatIsNotAName_N07() {
        for (String bad : new String[] {"", ".", "a..test", "a.test..", "user@a.test", "a.test:443", "-a.test", "a-.test",
                "a test", "a.tést", "1.2.3.4", "[::1]", "a.test/x", "a".repeat(64) + ".test", "a.".repeat(127) + "ab"}) {
            assertThat(HostNames.normalize(bad)).as(bad).isEmpty();
        }
    }
}
