package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ./airlock tenants|keys ...} against a real server. */
class AdminCliTest {
    private static TestServer server;
    private static AirlockConfig config;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        config = AirlockConfig.fromEnvironment(Map.of("AIRLOCK_HOME", server.home.toString())).withPort(server.airlock.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AdminCli.run(config, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    @Test
    void tenantAndKeyLifecycle() throws Exception {
        Run created = cli("tenants", "create", "cli-tenant", "3");
        assertThat(created.code()).as(created.err()).isZero();
        String tenant = group(created.out(), "tenant (t_\\w+)");
        String key = group(created.out(), "API key \\(shown once\\): (e2b_[0-9a-f]{40})");
        assertThat(server.send("GET", "/v2/sandboxes", null, key).statusCode()).isEqualTo(200);

        assertThat(cli("tenants", "list").out()).contains(tenant).contains("cli-tenant").contains("admin");
        Run second = cli("keys", "create", tenant, "ci");
        String keyId = group(second.out(), "key (k_\\w+)");
        assertThat(cli("keys", "list", tenant).out()).contains(keyId).doesNotContain(key);
        assertThat(cli("keys", "revoke", keyId).code()).isZero();
        assertThat(cli("keys", "list", tenant).out()).contains("revoked");

        assertThat(cli("tenants", "revoke", tenant).code()).isZero();
        assertThat(server.send("GET", "/v2/sandboxes", null, key).statusCode()).isEqualTo(401);
    }

    @Test
    void errors_areOneLine_withExitCodes() {
        Run unknown = cli("tenants", "revoke", "t_nosuchtenant");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("404").contains("t_nosuchtenant");

        Run bad = cli("tenants", "create", "bad name!");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("400").contains("name");

        assertThat(cli("tenants").code()).isEqualTo(2);
    }
}
