package io.airlock.runtime;

import io.airlock.core.BuildProgress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the lines of {@code mmdebstrap --verbose} into {@link BuildProgress} updates.
 *
 * <p>mmdebstrap announces its phases with {@code I: } lines. The two install phases are the
 * slow ones; within them, each package prints one {@code Unpacking} and one {@code Setting up}
 * line, and apt announces how many packages the phase installs ({@code N newly installed}), so
 * the fraction advances per package. The fraction never goes backwards and stops short of 1: the
 * caller reports 1 when the template is committed. Not thread-safe; one instance per build.
 */
final class MmdebstrapProgress {
    private record Phase(String prefix, double start, double end, String message) {}

    private static final List<Phase> PHASES = List.of(
            new Phase("I: running apt-get update", 0.02, 0.08, "updating package lists"),
            new Phase("I: downloading packages", 0.08, 0.25, "downloading packages"),
            new Phase("I: extracting archives", 0.25, 0.30, "extracting essential packages"),
            new Phase("I: installing essential packages", 0.30, 0.60, "installing essential packages"),
            new Phase("I: installing remaining packages", 0.60, 0.90, "installing packages"),
            new Phase("I: running --customize-hook", 0.90, 0.95, "customizing"),
            new Phase("I: cleaning package lists", 0.95, 0.97, "cleaning apt caches"),
            new Phase("I: success", 0.97, 0.97, "mmdebstrap done"));

    private static final Pattern NEWLY_INSTALLED = Pattern.compile("^\\d+ upgraded, (\\d+) newly installed");
    /** {@code Setting up bash (5.2.15-2+b13) ...}: the verb and the package name without architecture. */
    private static final Pattern PACKAGE_STEP = Pattern.compile("^(Unpacking|Setting up) ([^ :]+)");

    private final BuildProgress target;
    private Phase phase = new Phase("", 0, 0.02, "starting mmdebstrap");
    private double fraction;
    private int expectedPackages;
    private int packageSteps;

    MmdebstrapProgress(BuildProgress target) {
        this.target = target;
    }

    /** Reads one output line and reports progress if the line marks any. */
    void accept(String line) {
        for (Phase p : PHASES) {
            if (line.startsWith(p.prefix())) {
                phase = p;
                packageSteps = 0;
                report(p.start(), p.message());
                return;
            }
        }
        Matcher m = NEWLY_INSTALLED.matcher(line);
        if (m.find()) {
            expectedPackages = Integer.parseInt(m.group(1));
            packageSteps = 0;
            return;
        }
        Matcher step = PACKAGE_STEP.matcher(line);
        if (step.find()) {
            packageSteps++;
            double done = expectedPackages == 0 ? 0 : Math.min(1, packageSteps / (2.0 * expectedPackages));
            report(phase.start() + (phase.end() - phase.start()) * done,
                    phase.message() + ": " + step.group(1).toLowerCase(Locale.ROOT) + " " + step.group(2));
        }
    }

    private void report(double f, String message) {
        fraction = Math.max(fraction, f);
        target.update(fraction, message);
    }
}
