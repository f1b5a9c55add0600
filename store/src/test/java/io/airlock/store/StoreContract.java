package io.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.AirlockException;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.egress.EgressEvent;
import io.airlock.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every store does, whatever the database. Each subclass runs it on one vendor against a
 * fresh, real database per test.
 */
abstract class StoreContract {
    @TempDir
    Path tmp;

    final FakeClock clock = FakeClock.create();
    Store store;

    /** A JDBC URL for a new, empty database, the same for every call within one test. */
    abstract String jdbcUrl() throws Exception;

    /** Opens the test's database; subclasses may open it another way than by URL. */
    Store open() throws Exception {
        return Store.open(jdbcUrl(), clock);
    }

    @BeforeEach
    void openStore() throws Exception {
        store = open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    Tenants tenants() {
        return store.tenants();
    }

    // ---- migrations

    @Test
    void open_migratesOnce_andReopeningChangesNothing() throws Exception {
        Tenant t = tenants().create("acme", 5, false);
        store.close();
        store = open();
        store.close();
        store = open();

        assertThat(tenants().find(t.id())).contains(t);
        assertThat(query("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL",
                        rs -> rs.getString(1) + ":" + rs.getBoolean(2)))
                .containsExactly("1:true", "2:true", "3:true", "4:true", "5:true");
    }

    // ---- tenants

    @Test
    void create_roundTrips() {
        clock.advance(Duration.ofMillis(1234));
        Tenant t = tenants().create("team-a.dev_1", 7, true);

        assertThat(t.id()).matches("t_[a-z2-7]{20}");
        assertThat(t.createdAt()).isEqualTo(clock.instant());
        assertThat(t.active()).isTrue();
        assertThat(tenants().find(t.id())).contains(t);
        assertThat(tenants().find("t_nosuchtenant")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "ünïcode", "slash/y", "x\n",
        "12345678901234567890123456789012345678901234567890123456789012345"})
    void create_badName_namesTheField(String name) {
        assertThatThrownBy(() -> tenants().create(name, 1, false))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).contains("A-Z a-z 0-9 . _ -");
                });
        assertThat(tenants().list(true)).isEmpty();
    }

    @Test
    void create_sixtyFourCharacters_isFine() {
        assertThat(tenants().create("a".repeat(64), 1, false).name()).hasSize(64);
    }

    @Test
    void create_badMaxSandboxes_namesTheField() {
        assertThatThrownBy(() -> tenants().create("a", -1, false))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("maxSandboxes"));
        assertThatThrownBy(() -> tenants().create("a", Tenants.MAX_SANDBOXES_LIMIT + 1, false))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void create_nameTakenByActiveTenant_isRejected_butFreeAgainAfterRevoke() {
        Tenant first = tenants().create("acme", 1, false);

        assertThatThrownBy(() -> tenants().create("acme", 1, false))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).contains("already exists");
                });

        tenants().revoke(first.id());
        Tenant second = tenants().create("acme", 1, false);
        assertThat(second.id()).isNotEqualTo(first.id());
    }

    @Test
    void list_isOldestFirst_andHidesRevokedUnlessAsked() {
        Tenant a = tenants().create("a", 1, false);
        clock.advance(Duration.ofSeconds(1));
        Tenant b = tenants().create("b", 1, false);
        clock.advance(Duration.ofSeconds(1));
        Tenant c = tenants().create("c", 1, false);
        tenants().revoke(b.id());

        assertThat(tenants().list()).extracting(Tenant::id).containsExactly(a.id(), c.id());
        assertThat(tenants().list(true)).extracting(Tenant::id).containsExactly(a.id(), b.id(), c.id());
        assertThat(tenants().find(b.id()).orElseThrow().revokedAt()).isEqualTo(clock.instant());
    }

    @Test
    void revoke_unknownTenant_saysWhatWasNotFound() {
        assertThatThrownBy(() -> tenants().revoke("t_missing"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.kind()).isEqualTo("tenant");
                    assertThat(e.getMessage()).isEqualTo("tenant t_missing does not exist");
                })
                .isInstanceOf(AirlockException.class);
    }

    @Test
    void revoke_twice_keepsTheFirstTime() {
        Tenant t = tenants().create("a", 1, false);
        tenants().revoke(t.id());
        Instant first = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        tenants().revoke(t.id());
        assertThat(tenants().find(t.id()).orElseThrow().revokedAt()).isEqualTo(first);
    }

    @Test
    void revoke_lastActiveAdmin_isRefused() {
        Tenant admin = tenants().create("root", 1, true);
        assertThatThrownBy(() -> tenants().revoke(admin.id()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
        assertThat(tenants().find(admin.id()).orElseThrow().active()).isTrue();

        tenants().create("root2", 1, true);
        tenants().revoke(admin.id());
        assertThat(tenants().find(admin.id()).orElseThrow().active()).isFalse();
    }

    @Test
    void setMaxSandboxes_updates_andAuthenticationSeesItAtOnce() {
        Tenant t = tenants().create("a", 1, false);
        String key = tenants().createKey(t.id(), "k").plaintext();
        assertThat(tenants().authenticate(key).orElseThrow().maxSandboxes()).isEqualTo(1);

        assertThat(tenants().setMaxSandboxes(t.id(), 9).maxSandboxes()).isEqualTo(9);
        assertThat(tenants().authenticate(key).orElseThrow().maxSandboxes()).isEqualTo(9);

        assertThatThrownBy(() -> tenants().setMaxSandboxes(t.id(), -5))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("maxSandboxes"));
        assertThatThrownBy(() -> tenants().setMaxSandboxes("t_missing", 1)).isInstanceOf(NotFoundException.class);
        tenants().revoke(t.id());
        assertThatThrownBy(() -> tenants().setMaxSandboxes(t.id(), 2))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
    }

    // ---- keys

    @Test
    void createKey_hasE2bShape_andOnlyItsHashIsStored() throws Exception {
        Tenant t = tenants().create("a", 1, false);
        IssuedKey issued = tenants().createKey(t.id(), "laptop");

        assertThat(issued.plaintext()).matches("e2b_[0-9a-f]{40}");
        assertThat(issued.info().id()).matches("k_[a-z2-7]{20}");
        assertThat(issued.info().prefix()).isEqualTo(issued.plaintext().substring(0, 12));
        assertThat(issued.info().tenantId()).isEqualTo(t.id());
        assertThat(issued.toString()).doesNotContain(issued.plaintext());
        assertThat(tenants().keys(t.id())).containsExactly(issued.info());
        assertThat(tenants().findKey(issued.info().id())).contains(issued.info());

        List<String> rows = query("SELECT * FROM api_keys", rs -> {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.append(rs.getString(i)).append('|');
            }
            return row.toString();
        });
        assertThat(rows).singleElement().asString()
                .contains(sha256Hex(issued.plaintext()))
                .doesNotContain(issued.plaintext().substring(12));
    }

    @Test
    void createKey_eachKeyIsNew() {
        Tenant t = tenants().create("a", 1, false);
        IssuedKey one = tenants().createKey(t.id(), "k");
        IssuedKey two = tenants().createKey(t.id(), "k");
        assertThat(one.plaintext()).isNotEqualTo(two.plaintext());
        assertThat(one.info().id()).isNotEqualTo(two.info().id());
    }

    @Test
    void createKey_badName_unknownOrRevokedTenant_areRejected() {
        Tenant t = tenants().create("a", 1, false);
        assertThatThrownBy(() -> tenants().createKey(t.id(), " "))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> tenants().createKey(t.id(), "tab\there"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getMessage()).contains("U+0009"));
        assertThatThrownBy(() -> tenants().createKey("t_missing", "k"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.id()).isEqualTo("t_missing"));
        tenants().revoke(t.id());
        assertThatThrownBy(() -> tenants().createKey(t.id(), "k"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.field()).isEqualTo("tenantId");
                    assertThat(e.getMessage()).contains("revoked");
                });
        assertThatThrownBy(() -> tenants().keys("t_missing")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void authenticate_rightKey_givesItsTenant_wrongKey_gives_nothing() {
        Tenant a = tenants().create("a", 1, false);
        Tenant b = tenants().create("b", 1, false);
        String keyA = tenants().createKey(a.id(), "k").plaintext();
        String keyB = tenants().createKey(b.id(), "k").plaintext();

        assertThat(tenants().authenticate(keyA)).contains(a);
        assertThat(tenants().authenticate(keyB)).contains(b);
        assertThat(tenants().authenticate(Secrets.newKey())).isEmpty();
        String flipped = keyA.substring(0, 43) + (keyA.charAt(43) == '0' ? '1' : '0');
        assertThat(tenants().authenticate(flipped)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "e2b_", "E2B_0123456789abcdef0123456789abcdef01234567",
        "e2b_0123456789ABCDEF0123456789abcdef01234567", "e2b_0123456789abcdef0123456789abcdef0123456",
        "e2b_0123456789abcdef0123456789abcdef012345678", "sk_0123456789abcdef0123456789abcdef01234567",
        "e2b_0123456789abcdef0123456789abcdef0123456g", "e2b_0123456789abcdef0123456789abcdef0123456\n"})
    void authenticate_malformedKey_givesNothing(String presented) {
        assertThat(tenants().authenticate(presented)).isEmpty();
    }

    @Test
    void authenticate_malformedKey_neverReachesTheDatabase() {
        Tenant t = tenants().create("a", 1, false);
        String key = tenants().createKey(t.id(), "k").plaintext();
        store.close(); // a lookup would now fail loudly
        assertThat(tenants().authenticate(key.toUpperCase())).isEmpty();
        assertThat(tenants().authenticate("not a key")).isEmpty();
        assertThat(tenants().authenticate(null)).isEmpty();
        assertThatThrownBy(() -> tenants().authenticate(Secrets.newKey())).isInstanceOf(RuntimeException.class);
    }

    @Test
    void authenticate_revokedKey_stopsAtOnce_evenWhenCached() {
        Tenant t = tenants().create("a", 1, false);
        IssuedKey revoked = tenants().createKey(t.id(), "old");
        IssuedKey kept = tenants().createKey(t.id(), "new");
        assertThat(tenants().authenticate(revoked.plaintext())).isPresent();

        tenants().revokeKey(revoked.info().id());

        assertThat(tenants().authenticate(revoked.plaintext())).isEmpty();
        assertThat(tenants().authenticate(kept.plaintext())).contains(t);
        assertThat(tenants().findKey(revoked.info().id()).orElseThrow().revokedAt()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> tenants().revokeKey("k_missing"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.kind()).isEqualTo("API key"));
    }

    @Test
    void authenticate_revokedTenant_stopsAtOnce_andRevokesItsKeys() {
        Tenant t = tenants().create("a", 1, false);
        String key = tenants().createKey(t.id(), "k").plaintext();
        assertThat(tenants().authenticate(key)).isPresent();

        tenants().revoke(t.id());

        assertThat(tenants().authenticate(key)).isEmpty();
        assertThat(tenants().keys(t.id())).allSatisfy(k -> assertThat(k.active()).isFalse());
    }

    @Test
    void authenticate_isCachedForThirtySeconds() throws Exception {
        Tenant t = tenants().create("a", 1, false);
        IssuedKey key = tenants().createKey(t.id(), "k");
        assertThat(tenants().authenticate(key.plaintext())).isPresent();

        // Revoked behind the store's back, as another node sharing the database would.
        execute("UPDATE api_keys SET revoked_at = 1 WHERE id = '" + key.info().id() + "'");
        clock.advance(Duration.ofSeconds(29));
        assertThat(tenants().authenticate(key.plaintext())).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(tenants().authenticate(key.plaintext())).isEmpty();
    }

    @Test
    void authenticate_recordsLastUse_atMostOnceAMinute() {
        Tenant t = tenants().create("a", 1, false);
        IssuedKey key = tenants().createKey(t.id(), "k");
        assertThat(key.info().lastUsedAt()).isNull();
        Instant first = clock.instant();

        tenants().authenticate(key.plaintext());
        assertThat(lastUsed(key)).isEqualTo(first);

        clock.advance(Duration.ofSeconds(40)); // past the cache, within the minute
        tenants().authenticate(key.plaintext());
        assertThat(lastUsed(key)).isEqualTo(first);

        clock.advance(Duration.ofSeconds(20));
        tenants().authenticate(key.plaintext()); // served from the cache, but a minute has passed
        assertThat(lastUsed(key)).isEqualTo(clock.instant());
    }

    @Test
    void createKey_fromManyThreadsAtOnce_allSucceed() throws Exception {
        Tenant t = tenants().create("a", 1000, false);
        int threads = 8;
        int perThread = 15;
        Set<String> plaintexts = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(pool.submit(() -> {
                    for (int j = 0; j < perThread; j++) {
                        String key = tenants().createKey(t.id(), "k").plaintext();
                        plaintexts.add(key);
                        assertThat(tenants().authenticate(key)).isPresent();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS); // rethrows any SQLITE_BUSY
            }
        }
        assertThat(plaintexts).hasSize(threads * perThread);
        assertThat(tenants().keys(t.id())).hasSize(threads * perThread);
    }

    // ---- bootstrap

    @Test
    void ensureAdmin_firstStart_createsAdminAndWritesKeyFile0600_laterStartsDoNothing() throws Exception {
        Path keyFile = tmp.resolve("state/admin.key");

        String key = tenants().ensureAdmin(keyFile).orElseThrow();

        assertThat(Files.readString(keyFile)).isEqualTo(key + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        Tenant admin = tenants().authenticate(key).orElseThrow();
        assertThat(admin.admin()).isTrue();
        assertThat(admin.name()).isEqualTo("admin");
        assertThat(admin.maxSandboxes()).isEqualTo(100);
        try (var siblings = Files.list(keyFile.getParent())) {
            assertThat(siblings).containsExactly(keyFile); // no temporary file left behind
        }

        Files.writeString(keyFile, "untouched");
        assertThat(tenants().ensureAdmin(keyFile)).isEmpty();
        store.close();
        store = open();
        assertThat(tenants().ensureAdmin(keyFile)).isEmpty();
        assertThat(Files.readString(keyFile)).isEqualTo("untouched");
        assertThat(tenants().list()).hasSize(1);
    }

    @Test
    void ensureAdmin_whenANonAdminHasTheName_picksAnother() {
        tenants().create("admin", 1, false);
        String key = tenants().ensureAdmin(tmp.resolve("admin.key")).orElseThrow();
        Tenant admin = tenants().authenticate(key).orElseThrow();
        assertThat(admin.admin()).isTrue();
        assertThat(admin.name()).startsWith("admin-");
    }

    @Test
    void ensureAdmin_unwritableKeyFile_createsNothing() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");

        assertThatThrownBy(() -> tenants().ensureAdmin(notADirectory.resolve("admin.key")))
                .isInstanceOf(AirlockException.class)
                .hasMessageContaining("no admin tenant was created");
        assertThat(tenants().list(true)).isEmpty();
    }

    // ---- sandbox records

    @Test
    void sandboxRecord_roundTrips_andEndsOnce() {
        Instant started = Instant.parse("2026-03-01T10:15:30.123Z");
        Map<String, String> metadata = Map.of("user", "ada", "quote\"d", "ünï\ncode", "empty", "");
        SandboxRecord r = SandboxRecord.live("sbx1", "t_x", "base", metadata, started);
        store.sandboxes().created(r);

        assertThat(store.sandboxes().find("sbx1")).contains(r);
        assertThat(store.sandboxes().find("nope")).isEmpty();

        Instant end = started.plusSeconds(60);
        store.sandboxes().ended("sbx1", end, "killed");
        store.sandboxes().ended("sbx1", end.plusSeconds(5), "timeout");
        store.sandboxes().ended("never-recorded", end, "killed");

        SandboxRecord ended = store.sandboxes().find("sbx1").orElseThrow();
        assertThat(ended.endedAt()).isEqualTo(end);
        assertThat(ended.endReason()).isEqualTo("killed");
        assertThat(ended.isLive()).isFalse();
        assertThat(ended.metadata()).isEqualTo(metadata);
    }

    @Test
    void sandboxRecord_duplicateId_namesTheField() {
        store.sandboxes().created(SandboxRecord.live("sbx1", "t_x", "base", Map.of(), clock.instant()));
        assertThatThrownBy(() -> store.sandboxes().created(SandboxRecord.live("sbx1", "t_y", "base", Map.of(), clock.instant())))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("id"));
    }

    @Test
    void sandboxRecords_liveCountAndEndAll() {
        SandboxRecords records = store.sandboxes();
        Instant t0 = clock.instant();
        records.created(SandboxRecord.live("s2", "t_a", "base", Map.of(), t0.plusSeconds(2)));
        records.created(SandboxRecord.live("s1", "t_a", "base", Map.of(), t0.plusSeconds(1)));
        records.created(SandboxRecord.live("s3", "t_b", "code-interpreter", Map.of(), t0.plusSeconds(3)));
        records.created(SandboxRecord.live("s4", "", "base", Map.of(), t0.plusSeconds(4)));
        records.ended("s3", t0.plusSeconds(9), "killed");

        assertThat(records.live()).extracting(SandboxRecord::id).containsExactly("s1", "s2", "s4");
        assertThat(records.countLive("t_a")).isEqualTo(2);
        assertThat(records.countLive("t_b")).isZero();

        assertThat(records.endAllLive(t0.plusSeconds(10), "server restarted")).isEqualTo(3);

        assertThat(records.live()).isEmpty();
        assertThat(records.countLive("t_a")).isZero();
        assertThat(records.find("s1").orElseThrow().endReason()).isEqualTo("server restarted");
        assertThat(records.find("s3").orElseThrow().endReason()).isEqualTo("killed");
        assertThat(records.endAllLive(t0.plusSeconds(11), "again")).isZero();
    }

    // ---- egress

    @Test
    void egressCeiling_setReadClear_andUnknownTenantIsNotFound() {
        Tenant t = tenants().create("egress", 5, false);
        assertThat(tenants().egressCeiling(t.id())).isEmpty();
        tenants().setEgressCeiling(t.id(), List.of("*.a.test", "203.0.113.0/24"));
        assertThat(tenants().egressCeiling(t.id())).contains(List.of("*.a.test", "203.0.113.0/24"));
        tenants().setEgressCeiling(t.id(), List.of());
        assertThat(tenants().egressCeiling(t.id())).contains(List.of());
        tenants().setEgressCeiling(t.id(), null);
        assertThat(tenants().egressCeiling(t.id())).isEmpty();
        assertThatThrownBy(() -> tenants().egressCeiling("t_nosuchtenant")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> tenants().setEgressCeiling("t_nosuchtenant", List.of("*"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void egressAudit_newestEventsOldestFirst_allowedConnectionsOverAll_survivesReopen() throws Exception {
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofMillis(1));
            store.egress().record(new EgressEvent("sbx1", clock.instant(), "tcp", i % 2 == 0 ? "a.test" : null, "203.0.113." + (10 + i % 3),
                    443, i % 3 != 2, "reason " + i, i, 2L * i));
        }
        store.egress().record(new EgressEvent("other", clock.instant(), "tcp", "b.test", "203.0.113.20", 80, true, "x", 0, 0));

        List<EgressEvent> newest = store.egress().events("sbx1", 5);
        assertThat(newest).extracting(EgressEvent::reason).containsExactly("reason 25", "reason 26", "reason 27", "reason 28", "reason 29");
        assertThat(newest.get(4).bytesIn()).isEqualTo(58);
        assertThat(store.egress().allowedConnections("sbx1")).extracting(e -> e.name() != null ? e.name() : e.address())
                .containsExactlyInAnyOrder("a.test", "203.0.113.11", "203.0.113.10")
                .doesNotContain("b.test");

        store.close(); // writes what is queued
        store = open();
        assertThat(store.egress().events("sbx1", 100)).hasSize(30);
        assertThat(store.egress().events("nosuch", 100)).isEmpty();
    }

    // ---- helpers

    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    <T> List<T> query(String sql, RowReader<T> reader) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(reader.read(rs));
            }
            return rows;
        }
    }

    void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl()); PreparedStatement s = c.prepareStatement(sql)) {
            s.executeUpdate();
        }
    }

    Instant lastUsed(IssuedKey key) {
        return tenants().findKey(key.info().id()).orElseThrow().lastUsedAt();
    }

    static String sha256Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    // ---- secrets ----

    private io.airlock.core.secrets.Vault vault() {
        var keys = new io.airlock.core.crypto.DataKeys(
                io.airlock.core.crypto.MasterKeys.of(io.airlock.core.crypto.Aead.newKey()), store.wrappedKeys());
        return io.airlock.core.secrets.Vault.create(keys, store.secrets(), clock);
    }

    @Test
    void secrets_putTwice_keepsCreatedAtAndMovesUpdatedAt() {
        Instant first = clock.instant();
        store.secrets().put("t1", "API_TOKEN", new byte[] {1, 2, 3});
        clock.advance(Duration.ofSeconds(5));
        var info = store.secrets().put("t1", "API_TOKEN", new byte[] {4, 5});

        assertThat(info.createdAt()).isEqualTo(first);
        assertThat(info.updatedAt()).isEqualTo(first.plusSeconds(5));
        assertThat(store.secrets().find("t1", "API_TOKEN").orElseThrow().sealed()).containsExactly(4, 5);
        assertThat(store.secrets().list("t1")).extracting(i -> i.name()).containsExactly("API_TOKEN");
    }

    @Test
    void secrets_otherTenantsName_isNotFound() {
        store.secrets().put("t1", "SHARED", new byte[] {1});

        assertThat(store.secrets().find("t2", "SHARED")).isEmpty();
        assertThat(store.secrets().list("t2")).isEmpty();
        assertThat(store.secrets().delete("t2", "SHARED")).isFalse();
        assertThat(store.secrets().find("t1", "SHARED")).isPresent();
    }

    @Test
    void secrets_delete_removesOnlyThatSecret() {
        store.secrets().put("t1", "A_1", new byte[] {1});
        store.secrets().put("t1", "B_2", new byte[] {2});

        assertThat(store.secrets().delete("t1", "A_1")).isTrue();
        assertThat(store.secrets().delete("t1", "A_1")).isFalse();
        assertThat(store.secrets().list("t1")).extracting(i -> i.name()).containsExactly("B_2");
    }

    @Test
    void secretUses_newestFirst_perTenantAndName() {
        var vault = vault();
        vault.recordUses("t1", List.of("A_1"), "sbx1", io.airlock.core.secrets.SecretUse.Scope.SANDBOX, "key:k1");
        clock.advance(Duration.ofSeconds(1));
        vault.recordUses("t1", List.of("A_1", "B_2"), "sbx2", io.airlock.core.secrets.SecretUse.Scope.COMMAND, "envd:key:k1");
        vault.recordUses("t2", List.of("A_1"), "sbx3", io.airlock.core.secrets.SecretUse.Scope.SANDBOX, "key:k2");

        var uses = store.secrets().uses("t1", "A_1", 10);
        assertThat(uses).extracting(u -> u.sandboxId()).containsExactly("sbx2", "sbx1");
        assertThat(uses.getFirst().scope()).isEqualTo(io.airlock.core.secrets.SecretUse.Scope.COMMAND);
        assertThat(uses.getFirst().actor()).isEqualTo("envd:key:k1");
        assertThat(uses.getLast().at()).isEqualTo(uses.getFirst().at().minusSeconds(1));
        assertThat(store.secrets().uses("t1", "A_1", 1)).extracting(u -> u.sandboxId()).containsExactly("sbx2");
    }

    @Test
    void vault_storesOnlyCiphertext_andResolvesTheValue() throws Exception {
        var vault = vault();
        vault.put("t1", "DB_PASSWORD", "correct-horse-battery");

        byte[] sealed = store.secrets().find("t1", "DB_PASSWORD").orElseThrow().sealed();
        assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("correct-horse");
        assertThat(vault.resolve("t1", List.of("DB_PASSWORD"), "secrets").env())
                .containsExactly(Map.entry("DB_PASSWORD", "correct-horse-battery"));
    }

    @Test
    void vault_ciphertextSwappedBetweenTenants_failsAuthentication() {
        var vault = vault();
        vault.put("tenant-a", "TOKEN", "value-of-tenant-a");
        vault.put("tenant-b", "TOKEN", "value-of-tenant-b");
        byte[] sealedA = store.secrets().find("tenant-a", "TOKEN").orElseThrow().sealed();

        store.secrets().put("tenant-b", "TOKEN", sealedA);

        assertThatThrownBy(() -> vault.resolve("tenant-b", List.of("TOKEN"), "secrets"))
                .isInstanceOf(io.airlock.core.crypto.IntegrityException.class)
                .hasMessageContaining("TOKEN").hasMessageNotContaining("value-of");
    }

    @Test
    void vault_ciphertextSwappedBetweenNames_failsAuthentication() {
        var vault = vault();
        vault.put("t1", "FIRST", "first-value");
        vault.put("t1", "SECOND", "second-value");

        store.secrets().put("t1", "SECOND", store.secrets().find("t1", "FIRST").orElseThrow().sealed());

        assertThatThrownBy(() -> vault.resolve("t1", List.of("SECOND"), "secrets"))
                .isInstanceOf(io.airlock.core.crypto.IntegrityException.class);
    }

    @Test
    void vault_unknownName_isABadRequestNamingTheFieldAndSecret() {
        var vault = vault();
        vault.put("t1", "MINE", "my-value");

        assertThatThrownBy(() -> vault.resolve("t2", List.of("MINE"), "metadata.airlock.secrets"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("metadata.airlock.secrets").hasMessageContaining("MINE");
    }

    @Test
    void vault_valueTooShort_isRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> vault().put("t1", "SHORT", "abc"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at least 4 bytes").hasMessageContaining("masked")
                .hasMessageNotContaining("abc");
        assertThat(store.secrets().list("t1")).isEmpty();
    }
}
