/**
 * Airlock's persistent state: tenants, their API keys, and the record of every sandbox, in an
 * embedded SQLite file (WAL mode) by default or in PostgreSQL for several nodes.
 *
 * <p>Open it with {@link io.airlock.store.Store#sqlite(java.nio.file.Path)} or {@link
 * io.airlock.store.Store#open(String)}; both apply the schema migrations before returning. The
 * interfaces here are the whole API; the JDBC, Flyway and pool details stay package-private.
 *
 * <p>Migrations live on the class path in {@code db/migration/common} (portable SQL that runs
 * unchanged on both databases) plus {@code db/migration/<vendor>} ({@code sqlite} or {@code
 * postgresql}) for the rare statement that differs. A vendor folder is added only when such a
 * statement first exists; until then the store simply does not list it. Times are stored as
 * epoch milliseconds ({@code BIGINT}) and ids as opaque {@code TEXT}, so rows read the same on
 * both. See {@code store/README.md}.
 */
@NullMarked
package io.airlock.store;

import org.jspecify.annotations.NullMarked;
