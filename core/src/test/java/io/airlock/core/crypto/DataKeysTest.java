package io.airlock.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.AirlockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeysTest {
    @TempDir Path dir;

    /** An in-memory {@link WrappedKeyStore}; the store module's contract test covers the SQL one. */
    static final class MemoryKeys implements WrappedKeyStore {
        final Map<String, WrappedKey> keys = new ConcurrentHashMap<>();

        @Override
        public Optional<WrappedKey> find(String tenant) {
            return Optional.ofNullable(keys.get(tenant));
        }

        @Override
        public WrappedKey insertIfAbsent(WrappedKey key) {
            return keys.computeIfAbsent(key.tenant(), t -> key);
        }

        @Override
        public List<WrappedKey> all() {
            return new ArrayList<>(keys.values());
        }

        @Override
        public boolean replace(String tenant, String expected, WrappedKey next) {
            WrappedKey cur = keys.get(tenant);
            return cur != null && cur.masterKeyId().equals(expected) && keys.replace(tenant, cur, next);
        }
    }

    @Test
    void eachTenantGetsItsOwnStableKeyStoredOnlyWrapped() {
        MemoryKeys store = new MemoryKeys();
        MasterKeys master = MasterKeys.of(Aead.newKey());
        DataKeys keys = new DataKeys(master, store);
        SecretKey a = keys.forTenant("t_a");
        SecretKey b = keys.forTenant("t_b");
        assertThat(a.getEncoded()).isNotEqualTo(b.getEncoded());
        assertThat(new DataKeys(master, store).forTenant("t_a").getEncoded()).isEqualTo(a.getEncoded());
        assertThat(java.util.HexFormat.of().formatHex(store.keys.get("t_a").wrapped()))
                .doesNotContain(java.util.HexFormat.of().formatHex(a.getEncoded()));
    }

    @Test
    void aWrappedKeyMovedToAnotherTenantFailsToUnwrap() {
        MemoryKeys store = new MemoryKeys();
        MasterKeys master = MasterKeys.of(Aead.newKey());
        new DataKeys(master, store).forTenant("t_a");
        WrappedKey a = store.keys.get("t_a");
        store.keys.put("t_b", new WrappedKey("t_b", a.masterKeyId(), a.wrapped()));
        assertThatThrownBy(() -> new DataKeys(master, store).forTenant("t_b")).isInstanceOf(IntegrityException.class);
    }

    @Test
    void aNewMasterKeyRewrapsWithoutChangingDataKeys() {
        MemoryKeys store = new MemoryKeys();
        SecretKey oldMaster = Aead.newKey();
        byte[] a = new DataKeys(MasterKeys.of(oldMaster), store).forTenant("t_a").getEncoded();
        SecretKey newMaster = Aead.newKey();
        DataKeys rotated = new DataKeys(MasterKeys.of(newMaster, oldMaster), store);
        assertThat(rotated.rewrapAll()).isEqualTo(1);
        assertThat(rotated.rewrapAll()).isZero();
        // Only the new master key is needed from now on, and the data key is the same.
        assertThat(new DataKeys(MasterKeys.of(newMaster), store).forTenant("t_a").getEncoded()).isEqualTo(a);
        assertThatThrownBy(() -> new DataKeys(MasterKeys.of(oldMaster), store).forTenant("t_a"))
                .isInstanceOf(AirlockException.class).hasMessageContaining("not configured");
    }

    @Test
    void theKeyFileIsCreatedOwnerOnlyAndRotationRewritesIt() throws Exception {
        Path file = dir.resolve("home/master.key");
        MasterKeys first = MasterKeys.load(Map.of(), file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(MasterKeys.load(Map.of(), file).currentId()).isEqualTo(first.currentId());

        MemoryKeys store = new MemoryKeys();
        DataKeys keys = new DataKeys(first, store);
        byte[] a = keys.forTenant("t_a").getEncoded();
        assertThat(keys.rotateMaster()).isEqualTo(1);
        MasterKeys reloaded = MasterKeys.load(Map.of(), file);
        assertThat(reloaded.currentId()).isNotEqualTo(first.currentId()).isEqualTo(keys.masterKeyId());
        assertThat(reloaded.ids()).hasSize(1);
        assertThat(store.keys.get("t_a").masterKeyId()).isEqualTo(reloaded.currentId());
        assertThat(new DataKeys(reloaded, store).forTenant("t_a").getEncoded()).isEqualTo(a);
    }

    @Test
    void aKeyFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("master.key");
        MasterKeys.load(Map.of(), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKeys.load(Map.of(), file)).hasMessageContaining("chmod 600");
    }

    @Test
    void keysFromTheEnvironmentAreValidatedWithoutEchoingThem() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        MasterKeys env = MasterKeys.load(Map.of(MasterKeys.ENV, key), dir.resolve("unused"));
        assertThat(env.rotatable()).isFalse();
        assertThat(Files.exists(dir.resolve("unused"))).isFalse();
        assertThatThrownBy(env::rotated).hasMessageContaining(MasterKeys.ENV_PREVIOUS);
        String bad = "not-a-key-but-a-password-someone-typed";
        assertThatThrownBy(() -> MasterKeys.load(Map.of(MasterKeys.ENV, bad), dir.resolve("unused")))
                .hasMessageContaining("32 random bytes").hasMessageNotContaining(bad);
        String hex = "ab".repeat(32);
        assertThat(MasterKeys.load(Map.of(MasterKeys.ENV, hex), dir).currentId())
                .isEqualTo(MasterKeys.id(java.util.HexFormat.of().parseHex(hex)));
    }
}
