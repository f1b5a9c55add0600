package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Tier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Measures create latency per tier and phase (printed, not asserted: the machine decides), after
 * one warm-up create that makes the golden image.
 */
class ContainerLatencyTest {
    private static final int RUNS = Integer.getInteger("airlock.test.latencyRuns", 10);
    private static ContainerFixture fx;

    @BeforeAll
    static void open() throws IOException {
        fx = ContainerFixture.open();
    }

    @AfterAll
    static void close() throws IOException {
        fx.close();
    }

    @ParameterizedTest
    @MethodSource("io.airlock.runtime.ContainerFixture#tiers")
    void create_latency(Tier tier) {
        fx.host.create(ContainerFixture.plan(tier)).destroy();
        List<ContainerTimings> timings = new ArrayList<>();
        List<Duration> destroys = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Container c = fx.host.create(ContainerFixture.plan(tier));
            timings.add(c.timings());
            long start = System.nanoTime();
            c.destroy();
            destroys.add(Duration.ofNanos(System.nanoTime() - start));
        }

        System.out.printf("create latency %s over %d runs (min / median ms): total %s, disk %s, overlay %s, bundle %s, %s run %s; destroy %s%n",
                tier.binary(), RUNS,
                stat(timings, ContainerTimings::total), stat(timings, ContainerTimings::disk), stat(timings, ContainerTimings::overlay),
                stat(timings, ContainerTimings::bundle), tier.binary(), stat(timings, ContainerTimings::runtime), stat(destroys, d -> d));
        assertThat(timings).allSatisfy(t -> assertThat(t.total()).isPositive());
        fx.assertNoLeaks();
    }

    private static <T> String stat(List<T> values, Function<T, Duration> f) {
        List<Duration> sorted = values.stream().map(f).sorted(Comparator.naturalOrder()).toList();
        return "%.1f / %.1f".formatted(sorted.getFirst().toNanos() / 1e6, sorted.get(sorted.size() / 2).toNanos() / 1e6);
    }
}
