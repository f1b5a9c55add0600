package io.airlock.core;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Started-but-unclaimed sandboxes of one template, with its default resources and tier, so a
 * create takes one that is already running. Refilled in the background, one start at a time,
 * so a burst of creates never competes with refills for the machine's cores.
 */
final class WarmPool {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

    /**
     * How long a refill waits after a claim. A fresh sandbox's first commands follow its create
     * within milliseconds; starting the replacement (tens of ms of runc on a 2-core host) right
     * then would compete with them for the cores.
     */
    static final java.time.Duration REFILL_DELAY = java.time.Duration.ofMillis(250);

    private final Template template;
    private final Resources resources;
    private final int size;
    private final SandboxRuntime runtime;
    private final ConcurrentLinkedDeque<RuntimeSandbox> ready = new ConcurrentLinkedDeque<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final AtomicBoolean filling = new AtomicBoolean();
    private volatile boolean closed;

    WarmPool(Template template, Resources resources, int size, SandboxRuntime runtime) {
        this.template = template;
        this.resources = resources;
        this.size = size;
        this.runtime = runtime;
    }

    /** Whether a request with these resources and tier can be served from this pool. */
    boolean serves(Resources requested, Tier tier) {
        return requested.equals(resources) && tier == template.recipe().tier();
    }

    /** A live pooled sandbox, if any; triggers a refill. */
    Optional<RuntimeSandbox> claim() {
        RuntimeSandbox s;
        while ((s = ready.pollFirst()) != null) {
            if (!s.onDeath().isDone()) {
                refill();
                return Optional.of(s);
            }
        }
        refill();
        return Optional.empty();
    }

    int ready() {
        return ready.size();
    }

    /** Starts sandboxes on a virtual thread until the pool is full. */
    void refill() {
        if (closed || size == 0 || !filling.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("warm-pool-" + template.name()).start(() -> {
            try {
                // Let the request that just claimed a sandbox use it before a runtime start
                // competes with it for the machine's cores.
                Thread.sleep(REFILL_DELAY);
                while (!closed && ready.size() < size) {
                    starting.incrementAndGet();
                    try {
                        String id = SandboxIds.next();
                        ready.addLast(runtime.start(new SandboxPlan(id, template, resources, Map.of(), template.recipe().tier())));
                    } catch (RuntimeException e) {
                        log.atWarn().addKeyValue("template", template.name()).setCause(e).log("warm pool start failed; retrying on next claim");
                        return;
                    } finally {
                        starting.decrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                filling.set(false);
            }
            if (closed) {
                drain();
            }
        });
    }

    void close() {
        closed = true;
        drain();
    }

    private void drain() {
        RuntimeSandbox s;
        while ((s = ready.pollFirst()) != null) {
            s.kill();
        }
    }
}
