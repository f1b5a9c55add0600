package io.airlock.bench;

import java.io.PrintStream;

/** Prints each figure beside its same-run baseline, as a ratio, plus the target it is held to. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
        out.printf("%-44s %9s %9s %9s   %-34s %9s %7s  %s%n", "figure", "p50 ms", "p95 ms", "p99 ms", "baseline", "p50 ms", "ratio", "target");
    }

    void latency(String name, Samples s, String baselineName, Samples baseline, String target) {
        double b = baseline == null ? Double.NaN : baseline.percentileMillis(50);
        out.printf("%-44s %9.2f %9.2f %9.2f   %-34s %9.2f %7s  %s%n", name + " (n=" + s.size() + ")",
                s.percentileMillis(50), s.percentileMillis(95), s.percentileMillis(99),
                baselineName, b, Double.isNaN(b) ? "-" : String.format("%.2fx", s.percentileMillis(50) / b), target);
    }

    void value(String name, String value, String target) {
        out.printf("%-44s %29s   %-34s %9s %7s  %s%n", name, value, "", "", "", target);
    }

    void note(String line) {
        out.println("  " + line);
    }
}
