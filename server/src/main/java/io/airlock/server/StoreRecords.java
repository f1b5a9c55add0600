package io.airlock.server;

import io.airlock.core.Sandbox;
import io.airlock.core.SandboxListener;
import io.airlock.store.SandboxRecord;
import io.airlock.store.Store;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the durable record of every sandbox's life in the store. */
final class StoreRecords implements SandboxListener {
    private static final Logger log = LoggerFactory.getLogger(StoreRecords.class);

    private final Store store;
    private final InstantSource clock;

    StoreRecords(Store store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void created(Sandbox s) {
        try {
            store.sandboxes().created(SandboxRecord.live(s.id(), s.owner(), s.template(), s.metadata(), s.startedAt()));
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("sandbox", s.id()).log("could not record a sandbox's creation");
        }
    }

    @Override
    public void ended(String id, String reason) {
        try {
            store.sandboxes().ended(id, clock.instant(), reason);
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("sandbox", id).log("could not record a sandbox's end");
        }
    }
}
