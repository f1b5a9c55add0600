package io.airlock.runtime;

import io.airlock.core.BuildProgress;
import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a template build's progress on a terminal or in a log.
 *
 * <p>On a terminal it redraws one line in place ({@code \r}, then clear to end of line):
 * {@code base [#########...........]  45% installing packages: setting up bash}, and ends the line when
 * the fraction reaches 1. Anywhere else (a pipe, a log file) it prints plain lines: one per 10%
 * of progress and one per new phase, where the phase is the message up to its first {@code ": "}
 * ({@code installing packages: setting up bash} is in phase {@code installing packages}), so a
 * build log stays about twenty lines long. Not thread-safe: {@link BuildProgress} is called from
 * the building thread.
 */
public final class TemplateProgressBar implements BuildProgress {
    private static final int BAR = 20;

    private final String label;
    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private int lastStep = Integer.MIN_VALUE;
    private String lastPhase = "";

    TemplateProgressBar(String label, PrintStream out, boolean terminal, int width) {
        this.label = label;
        this.out = out;
        this.terminal = terminal;
        this.width = width;
    }

    /**
     * A bar on {@link System#out}, redrawn in place when the JVM's console is a terminal.
     *
     * @param label what is being built, shown at the start of every line, e.g. the template name
     */
    public static TemplateProgressBar forConsole(String label) {
        Console console = System.console();
        return new TemplateProgressBar(label, System.out, console != null && console.isTerminal(), 80);
    }

    @Override
    public void update(double fraction, String message) {
        if (terminal) {
            out.print("\r" + render(fraction, message) + "\033[K");
            if (fraction >= 1) {
                out.println();
            }
            out.flush();
            return;
        }
        int step = fraction < 0 ? -1 : (int) Math.floor(Math.min(fraction, 1) * 10);
        String phase = message.split(": ", 2)[0];
        if (step != lastStep || !phase.equals(lastPhase)) {
            out.println(plain(fraction, message));
            out.flush();
        }
        lastStep = step;
        lastPhase = phase;
    }

    /** The single terminal line for this state, at most {@code width} characters. */
    String render(double fraction, String message) {
        String line;
        if (fraction < 0) {
            line = label + " [" + "?".repeat(BAR) + "]  ... " + message;
        } else {
            double f = Math.min(fraction, 1);
            int filled = (int) Math.round(f * BAR);
            line = label + " [" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
                    + String.format(Locale.ROOT, "%3d%% ", Math.round(f * 100)) + message;
        }
        return line.length() <= width ? line : line.substring(0, width - 1) + "…";
    }

    private String plain(double fraction, String message) {
        return fraction < 0 ? label + ": " + message
                : String.format(Locale.ROOT, "%s %3d%%: %s", label, Math.round(Math.min(fraction, 1) * 100), message);
    }
}
