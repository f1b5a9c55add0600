package io.airlock.server;

import io.airlock.core.Sandbox;
import io.airlock.core.SandboxListener;
import io.airlock.store.SandboxRecord;
import io.airlock.store.Store;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the durable record of every sandbox's life in the store. Writes happen in order on one
 * platform thread (SQLite is JNI and pins a virtual thread's carrier), off the request path, so a
 * create does not wait for a database commit. A crash may lose the last few records; start-up
 * closes every record still open, since no sandbox survives a restart.
 */
final class StoreRecords implements SandboxListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreRecords.class);

    private final Store store;
    private final InstantSource clock;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-records");
        t.setDaemon(true);
        return t;
    });

    StoreRecords(Store store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void created(Sandbox s) {
        SandboxRecord record = SandboxRecord.live(s.id(), s.owner(), s.template(), s.metadata(), s.startedAt());
        submit(s.id(), "creation", () -> store.sandboxes().created(record));
    }

    @Override
    public void ended(String id, String reason) {
        java.time.Instant at = clock.instant();
        submit(id, "end", () -> store.sandboxes().ended(id, at, reason));
    }

    private void submit(String id, String what, Runnable write) {
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    log.atError().setCause(e).addKeyValue("sandbox", id).log("could not record a sandbox's " + what);
                }
            });
        } catch (RejectedExecutionException e) {
            log.atWarn().addKeyValue("sandbox", id).log("store closed; a sandbox's " + what + " was not recorded");
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() throws InterruptedException {
        writer.shutdown();
        if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
            log.atWarn().log("sandbox records still queued after 10 s; giving up on them");
        }
    }
}
