package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmdebstrapProgressTest {
    private record Update(double fraction, String message) {}

    private final List<Update> updates = new ArrayList<>();
    private final MmdebstrapProgress progress = new MmdebstrapProgress((f, m) -> updates.add(new Update(f, m)));

    @Test
    void accept_phaseLine_reportsPhaseStart() {
        progress.accept("I: installing essential packages...");

        assertThat(updates).containsExactly(new Update(0.30, "installing essential packages"));
    }

    @Test
    void accept_packageSteps_advanceWithinPhaseByAnnouncedCount() {
        progress.accept("0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.");
        progress.accept("I: installing essential packages...");
        progress.accept("Unpacking libc6:amd64 (2.36-9+deb12u14) ...");
        progress.accept("Unpacking bash (5.2.15-2+b13) ...");
        progress.accept("Setting up libc6:amd64 (2.36-9+deb12u14) ...");
        progress.accept("Setting up bash (5.2.15-2+b13) ...");

        assertThat(updates).extracting(u -> Math.round(u.fraction() * 1000)).containsExactly(300L, 375L, 450L, 525L, 600L);
        assertThat(updates.getLast().message()).isEqualTo("installing essential packages: setting up bash");
    }

    @Test
    void accept_laterPhaseRestartsCount_neverGoesBackwards() {
        progress.accept("I: running --customize-hook in shell: sh -c 'true' exec /x");
        progress.accept("I: running --customize-hook in shell: sh -c 'true' exec /x");
        progress.accept("I: downloading packages with apt...");

        assertThat(updates).extracting(Update::fraction).containsExactly(0.90, 0.90, 0.90);
    }

    @Test
    void accept_otherLines_reportNothing() {
        progress.accept("Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]");
        progress.accept("/usr/bin/dpkg --status-fd 11 --no-triggers --configure bash:amd64");
        progress.accept("Setting");

        assertThat(updates).isEmpty();
    }
}
