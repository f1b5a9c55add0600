package io.airlock.core;

import io.airlock.core.egress.NetworkRules;
import io.airlock.core.egress.SandboxEgress;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The service's record of one live sandbox: its runtime handle and its mutable lifecycle state. */
final class LiveSandbox {
    final RuntimeSandbox runtime;
    final Template template;
    final Resources resources;
    final Map<String, String> env;
    final Map<String, String> metadata;
    final Instant startedAt;
    final String owner;
    /** Egress enforcement, when the sandbox's policy can reach anything; guarded by this. */
    @Nullable SandboxEgress egress;
    /** The network rules asked for (the policy in force when there is no egress); guarded by this. */
    NetworkRules network = NetworkRules.DEFAULT;
    /** The workspace checked out into it, or null; set before the sandbox is published. */
    volatile @Nullable AttachedWorkspace workspace;
    /** Secret values every process gets; in memory only, never in {@link #env}. */
    volatile io.airlock.core.secrets.SecretValues secrets = io.airlock.core.secrets.SecretValues.none();
    /** Why it ended, set before it is killed; an init that dies by itself keeps the default. */
    volatile String endReason = "died";

    // Guarded by this. While paused, deadline is null and remaining holds the unspent time to live.
    private Instant deadline;
    private Duration remaining = Duration.ZERO;
    private boolean paused;

    LiveSandbox(RuntimeSandbox runtime, Template template, Resources resources, Map<String, String> env,
            Map<String, String> metadata, Instant startedAt, Instant deadline, String owner) {
        this.runtime = runtime;
        this.template = template;
        this.resources = resources;
        this.env = Map.copyOf(env);
        this.metadata = Map.copyOf(metadata);
        this.startedAt = startedAt;
        this.deadline = deadline;
        this.owner = owner;
    }

    synchronized Sandbox snapshot(Instant now) {
        Instant end = paused ? now.plus(remaining) : deadline;
        return new Sandbox(runtime.id(), template.name(), runtime.tier(), resources, metadata, startedAt, end,
                paused ? Sandbox.State.PAUSED : Sandbox.State.RUNNING, owner);
    }

    synchronized boolean expired(Instant now) {
        return !paused && !now.isBefore(deadline);
    }

    synchronized void deadline(Instant newDeadline, Instant now) {
        if (paused) {
            remaining = Duration.between(now, newDeadline);
        } else {
            deadline = newDeadline;
        }
    }

    synchronized void pause(Instant now) {
        if (!paused) {
            runtime.pause();
            remaining = Duration.between(now, deadline);
            if (remaining.isNegative()) {
                remaining = Duration.ZERO;
            }
            paused = true;
        }
    }

    synchronized void resume(Instant now, Duration timeout) {
        if (paused) {
            runtime.resume();
            paused = false;
        }
        deadline = now.plus(timeout == null ? remaining : timeout);
    }

    synchronized boolean paused() {
        return paused;
    }

    synchronized Duration remaining(Instant now) {
        return paused ? remaining : Duration.between(now, deadline);
    }
}
