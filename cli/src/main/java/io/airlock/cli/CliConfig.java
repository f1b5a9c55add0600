package io.airlock.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the server is and which key to use, from the first source that has it: the command
 * line ({@code --url}, {@code --api-key}), the environment ({@code AIRLOCK_URL},
 * {@code AIRLOCK_API_KEY}), {@code ~/.airlock/config} ({@code url=…}, {@code api_key=…}), and
 * finally the local server's defaults: {@code http://127.0.0.1:8700} and the admin key that
 * {@code ./airlock up} wrote to {@code $AIRLOCK_HOME/admin.key}, when it is readable.
 */
record CliConfig(String url, String apiKey, String source) {
    static final String DEFAULT_URL = "http://127.0.0.1:8700";

    static CliConfig resolve(String flagUrl, String flagKey, Map<String, String> env, Path userHome) {
        Path airlockHome = Path.of(env.getOrDefault("AIRLOCK_HOME", userHome.resolve(".airlock").toString()));
        Properties file = new Properties();
        Path configFile = airlockHome.resolve("config");
        if (Files.isRegularFile(configFile)) {
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            } catch (IOException e) {
                throw new CliException("cannot read " + configFile + ": " + e.getMessage());
            }
        }
        String url = first(flagUrl, env.get("AIRLOCK_URL"), file.getProperty("url"), env.get("AIRLOCK_PORT") == null ? null
                : "http://127.0.0.1:" + env.get("AIRLOCK_PORT"), DEFAULT_URL);
        String key = first(flagKey, env.get("AIRLOCK_API_KEY"), file.getProperty("api_key"), null, null);
        String source = "--api-key, AIRLOCK_API_KEY or " + configFile;
        if (key == null) {
            Path admin = airlockHome.resolve("admin.key");
            if (Files.isReadable(admin)) {
                try {
                    key = Files.readString(admin).strip();
                    source = admin.toString();
                } catch (IOException e) {
                    // reported below as no key
                }
            }
        }
        if (key == null || key.isEmpty()) {
            throw new CliException("no API key: pass --api-key, set AIRLOCK_API_KEY, or put api_key=… in " + configFile);
        }
        return new CliConfig(url.replaceAll("/+$", ""), key, source);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
