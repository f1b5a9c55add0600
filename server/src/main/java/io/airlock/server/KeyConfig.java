package io.airlock.server;

import io.airlock.core.crypto.MasterKeys;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the master key comes from: {@code AIRLOCK_MASTER_KEY} (and {@code
 * AIRLOCK_MASTER_KEY_PREVIOUS}) when set, else the key file {@code $AIRLOCK_HOME/master.key}.
 * {@link #toString()} never shows a key.
 */
record KeyConfig(@Nullable String masterKey, @Nullable String previous) {
    static KeyConfig fromEnvironment(Map<String, String> env) {
        return new KeyConfig(env.get(MasterKeys.ENV), env.get(MasterKeys.ENV_PREVIOUS));
    }

    Map<String, String> asEnvironment() {
        Map<String, String> env = new HashMap<>();
        if (masterKey != null) {
            env.put(MasterKeys.ENV, masterKey);
        }
        if (previous != null) {
            env.put(MasterKeys.ENV_PREVIOUS, previous);
        }
        return env;
    }

    @Override
    public String toString() {
        return "KeyConfig[" + (masterKey != null ? MasterKeys.ENV : "key file") + "]";
    }
}
