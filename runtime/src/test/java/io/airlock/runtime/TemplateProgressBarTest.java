package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TemplateProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private TemplateProgressBar bar(boolean terminal) {
        return new TemplateProgressBar("base", new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal, 60);
    }

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void update_terminal_redrawsOneLineInPlaceAndEndsItAtOne() {
        TemplateProgressBar bar = bar(true);

        bar.update(0.45, "installing packages");
        bar.update(1, "ready");

        assertThat(out()).isEqualTo("\rbase [#########...........]  45% installing packages\033[K"
                + "\rbase [####################] 100% ready\033[K" + System.lineSeparator());
    }

    @Test
    void render_longMessage_isCutToWidth() {
        String line = bar(true).render(0.5, "x".repeat(200));

        assertThat(line).hasSize(60).endsWith("x…");
    }

    @Test
    void render_unknownFraction_showsNoPercentage() {
        assertThat(bar(true).render(-1, "waiting")).isEqualTo("base [????????????????????]  ... waiting");
    }

    @Test
    void update_plain_printsOneLinePerTenthOfProgressWithinAPhase() {
        TemplateProgressBar bar = bar(false);

        for (int i = 0; i <= 100; i++) {
            bar.update(i / 100.0, "installing: step " + i);
        }

        assertThat(out().lines()).hasSize(11).startsWith("base   0%: installing: step 0", "base  10%: installing: step 10")
                .endsWith("base 100%: installing: step 100");
    }

    @Test
    void update_plainNewPhase_printsEvenWithinTheSameTenth() {
        TemplateProgressBar bar = bar(false);

        bar.update(0.02, "updating package lists");
        bar.update(0.03, "updating package lists: still");
        bar.update(0.08, "downloading packages");
        bar.update(-1, "waiting for lock");
        bar.update(-1, "waiting for lock");

        assertThat(out().lines()).containsExactly("base   2%: updating package lists",
                "base   8%: downloading packages", "base: waiting for lock");
    }
}
