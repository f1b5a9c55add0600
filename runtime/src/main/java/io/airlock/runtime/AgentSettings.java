package io.airlock.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How an {@link AgentConnection} behaves.
 *
 * @param readyTimeout how long to wait for the agent's READY frame
 * @param callTimeout how long any single wait for the agent may take (an answer, a credit grant,
 *     the next chunk of a file being read)
 * @param unclaimedOutputHold how long a new process's output is held for its first
 *     {@link AgentProcess#attach()} before it is discarded; zero discards output until a reader
 *     attaches. Holding closes the race between {@code spawn} and {@code attach} for short
 *     commands; while held, at most one credit window is buffered and the process blocks after it.
 * @param baseEnv environment every process gets under its spec's env (template env + sandbox env)
 * @param oomKills the sandbox cgroup's OOM-kill counter, read at spawn and when a process dies of
 *     SIGKILL (never on the connection's reader thread); a process killed by SIGKILL while it rose
 *     is reported as {@code oomKilled}. An exception counts as "unknown": not OOM-killed
 */
record AgentSettings(
        Duration readyTimeout, Duration callTimeout, Duration unclaimedOutputHold, Map<String, String> baseEnv, LongSupplier oomKills) {
    AgentSettings {
        requirePositive("readyTimeout", readyTimeout);
        requirePositive("callTimeout", callTimeout);
        if (unclaimedOutputHold.isNegative()) {
            throw new IllegalArgumentException("unclaimedOutputHold must not be negative, got " + unclaimedOutputHold);
        }
        baseEnv = Map.copyOf(baseEnv);
    }

    /** 10 s for READY, 30 s per call, 5 s of output hold, no base env, no OOM counter. */
    static AgentSettings defaults() {
        return new AgentSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5), Map.of(), () -> 0);
    }

    AgentSettings withReadyTimeout(Duration d) {
        return new AgentSettings(d, callTimeout, unclaimedOutputHold, baseEnv, oomKills);
    }

    AgentSettings withCallTimeout(Duration d) {
        return new AgentSettings(readyTimeout, d, unclaimedOutputHold, baseEnv, oomKills);
    }

    AgentSettings withUnclaimedOutputHold(Duration d) {
        return new AgentSettings(readyTimeout, callTimeout, d, baseEnv, oomKills);
    }

    AgentSettings withBaseEnv(Map<String, String> env) {
        return new AgentSettings(readyTimeout, callTimeout, unclaimedOutputHold, env, oomKills);
    }

    AgentSettings withOomKills(LongSupplier counter) {
        return new AgentSettings(readyTimeout, callTimeout, unclaimedOutputHold, baseEnv, counter);
    }

    private static void requirePositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
