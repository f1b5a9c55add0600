package io.airlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in nanoseconds, summarised as percentiles. */
final class Samples {
    private final List<Long> nanos = new ArrayList<>();

    /** Samples from a JSON array of milliseconds, as the measuring scripts print them. */
    static Samples ofMillis(JsonNode array) {
        Samples s = new Samples();
        array.forEach(ms -> s.add(Math.round(ms.asDouble() * 1e6)));
        return s;
    }

    void add(long n) {
        nanos.add(n);
    }

    /** Sample by sample, this minus {@code other} (the same samples, in the same order). */
    Samples minus(Samples other) {
        if (other.nanos.size() != nanos.size()) {
            throw new IllegalArgumentException(nanos.size() + " samples minus " + other.nanos.size());
        }
        Samples d = new Samples();
        for (int i = 0; i < nanos.size(); i++) {
            d.add(nanos.get(i) - other.nanos.get(i));
        }
        return d;
    }

    int size() {
        return nanos.size();
    }

    double percentileMillis(double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx))) / 1e6;
    }
}
