package io.airlock.store;

import io.airlock.core.egress.EgressAudit;
import io.airlock.core.egress.EgressEvent;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The egress audit in SQL. {@link #record} only queues (the proxy's threads never wait for the
 * database); one writer thread inserts in batches. A queue that fills up (a sandbox flooding
 * DNS questions faster than the database writes) drops events, counts them per sandbox, and
 * writes one {@code audit-overflow} event per sandbox saying how many. {@link #events} first
 * waits until everything queued before it is written, so a caller reads its own writes. Events
 * are kept for {@link #RETENTION}.
 */
final class SqlEgressAudit implements EgressAudit, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlEgressAudit.class);
    private static final int QUEUE = 16_384;
    private static final int BATCH = 512;
    private static final long FLUSH_WAIT_MS = 5_000;
    /** How long events are kept. */
    static final java.time.Duration RETENTION = java.time.Duration.ofDays(30);
    private static final String COLUMNS = "sandbox_id, seq, at, protocol, name, address, port, allowed, reason, bytes_out, bytes_in";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final BlockingQueue<EgressEvent> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, Long> dropped = new HashMap<>(); // guarded by this
    private final Thread writer;
    private long enqueued; // guarded by this
    private long written; // guarded by this
    private long seq;
    private volatile boolean closed;

    SqlEgressAudit(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.seq = clock.millis() * 1000;
        this.writer = Thread.ofPlatform().daemon().name("egress-audit-writer").start(this::writeLoop);
    }

    @Override
    public void record(EgressEvent event) {
        synchronized (this) {
            if (!closed && queue.offer(event)) {
                enqueued++;
                return;
            }
            dropped.merge(event.sandboxId(), 1L, Long::sum);
        }
    }

    @Override
    public List<EgressEvent> events(String sandboxId, int limit) {
        awaitWritten();
        // The newest events: a sandbox that floods its audit early cannot hide what it does later.
        List<EgressEvent> newest = jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM egress_events WHERE sandbox_id = ? ORDER BY at DESC, seq DESC LIMIT ?")
                .bind(0, sandboxId)
                .bind(1, limit)
                .map((rs, ctx) -> new EgressEvent(rs.getString(1), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getInt(7), rs.getBoolean(8), rs.getString(9), rs.getLong(10),
                        rs.getLong(11)))
                .list());
        return newest.reversed();
    }

    @Override
    public List<EgressEvent> allowedConnections(String sandboxId) {
        awaitWritten();
        // One row per destination: the name when the connection had one, else its address.
        return jdbi.withHandle(h -> h.createQuery("SELECT MIN(at), MIN(name), MIN(address), MIN(port) FROM egress_events "
                        + "WHERE sandbox_id = ? AND protocol = 'tcp' AND allowed = ? "
                        + "GROUP BY COALESCE(name, address) ORDER BY MIN(at)")
                .bind(0, sandboxId)
                .bind(1, true)
                .map((rs, ctx) -> new EgressEvent(sandboxId, Instant.ofEpochMilli(rs.getLong(1)), "tcp", rs.getString(2),
                        rs.getString(3), rs.getInt(4), true, "allowed", 0, 0))
                .list());
    }

    /** Deletes events older than {@link #RETENTION}; run by the writer at start. */
    private void expire() {
        try {
            int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM egress_events WHERE at < ?")
                    .bind(0, clock.instant().minus(RETENTION).toEpochMilli())
                    .execute());
            if (n > 0) {
                LOG.atInfo().log("egress audit: deleted {} events older than {} days", n, RETENTION.toDays());
            }
        } catch (RuntimeException e) {
            LOG.atWarn().log("egress audit: could not delete old events: {}", e.toString());
        }
    }

    private void awaitWritten() {
        long deadline = System.currentTimeMillis() + FLUSH_WAIT_MS;
        synchronized (this) {
            long target = enqueued;
            while (written < target && !closed) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return; // the writer is behind; answer with what is there
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void writeLoop() {
        expire();
        List<EgressEvent> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                EgressEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
            } catch (InterruptedException e) {
                break;
            }
            List<EgressEvent> overflow = overflowEvents();
            batch.addAll(overflow);
            if (!batch.isEmpty()) {
                insert(batch);
                synchronized (this) {
                    written += batch.size() - overflow.size();
                    notifyAll();
                }
                batch.clear();
            }
        }
    }

    private List<EgressEvent> overflowEvents() {
        Map<String, Long> counts;
        synchronized (this) {
            if (dropped.isEmpty()) {
                return List.of();
            }
            counts = new HashMap<>(dropped);
            dropped.clear();
        }
        Instant now = clock.instant();
        List<EgressEvent> out = new ArrayList<>();
        counts.forEach((id, n) -> out.add(new EgressEvent(id, now, "other", null, null, 0, false,
                "audit-overflow: " + n + " events dropped, the audit queue was full", 0, 0)));
        return out;
    }

    private void insert(List<EgressEvent> events) {
        try {
            jdbi.useTransaction(h -> {
                PreparedBatch b = h.prepareBatch("INSERT INTO egress_events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                for (EgressEvent e : events) {
                    b.bind(0, e.sandboxId()).bind(1, ++seq).bind(2, e.at().toEpochMilli()).bind(3, e.protocol()).bind(4, e.name())
                            .bind(5, e.address()).bind(6, e.port()).bind(7, e.allowed()).bind(8, e.reason()).bind(9, e.bytesOut())
                            .bind(10, e.bytesIn()).add();
                }
                b.execute();
            });
        } catch (RuntimeException e) {
            LOG.atError().log("could not write {} egress audit events: {}", events.size(), e.toString());
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
