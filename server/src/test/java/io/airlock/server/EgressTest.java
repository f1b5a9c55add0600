package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Egress end to end: a real server whose operator ceiling is {@code *}, sandboxes with E2B's
 * {@code allowOut}/{@code denyOut}, and the test's own internet ({@link FakeInternet}). Every
 * attempt a sandbox makes must either reach exactly what it was allowed or fail, and show up in
 * {@code GET /v1/sandboxes/{id}/egress}. Named after SECURITY.md's N series where they apply.
 */
@Timeout(300)
class EgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeInternet internet;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        internet = FakeInternet.start();
        server = TestServer.start(Map.of(), Map.of("AIRLOCK_EGRESS_CEILING", "*", "AIRLOCK_DNS", internet.dnsAddress()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (internet != null) {
            internet.close();
        }
    }

    private static String create(String network) throws Exception {
        HttpResponse<String> r = server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"timeout\":300,\"network\":" + network + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("sandboxID").asText();
    }

    /** Runs a shell command in the sandbox as its user; returns stdout + "|exit=N". */
    private static String sh(String id, String cmd) throws Exception {
        return sh(id, cmd, server.adminKey());
    }

    private static String sh(String id, String cmd, String apiKey) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes/" + id + "/exec",
                JSON.writeValueAsString(Map.of("cmd", cmd)), apiKey);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        return j.path("stdout").asText("").strip() + "|exit=" + j.get("exitCode").asInt();
    }

    private static JsonNode audit(String id) throws Exception {
        HttpResponse<String> r = server.send("GET", "/v1/sandboxes/" + id + "/egress", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<String> events(JsonNode audit) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : audit.get("events")) {
            out.add(e.get("decision").asText() + " " + e.get("protocol").asText() + " " + e.path("name").asText("-") + " "
                    + e.path("address").asText("-") + ":" + e.get("port").asInt() + " " + e.get("reason").asText());
        }
        return out;
    }

    /** curl through HTTP(S)_PROXY, as the sandbox's environment sets it: the explicit proxy path. */
    private static final String CURL = "curl -f -s -S --max-time 10 ";
    /** curl ignoring the proxy variables (N-03): every connection is intercepted anyway. */
    private static final String DIRECT = "curl -f -s -S --max-time 10 --noproxy '*' ";

    @Test
    void allowedName_reachedOverHttpAndHttps_everythingElseFailsAndIsAudited() throws Exception {
        String id = create("{\"allowOut\":[\"a.test\",\"private.test\"],\"denyOut\":[\"0.0.0.0/0\"]}");

        assertThat(sh(id, CURL + "http://a.test/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, CURL + "-k https://a.test/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, DIRECT + "http://a.test/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, DIRECT + "-k https://a.test/")).isEqualTo("site a|exit=0");
        // N-01/N-02: another name, through the proxy and directly, by IP, by IP with a forged Host or SNI
        assertThat(sh(id, CURL + "http://b.test/")).doesNotContain("site b").doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "http://b.test/")).doesNotContain("site b").doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.B + "/")).doesNotContain("site b").doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "-H 'Host: a.test' http://" + FakeInternet.B + "/")).doesNotContain("site").doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "-k --resolve a.test:443:" + FakeInternet.B + " https://a.test/")).doesNotContain("site")
                .doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.B + ":8080/")).doesNotContain("site b").doesNotEndWith("exit=0");
        // other ports are judged by address even when the proxy is told a name (CONNECT a.test:8080)
        assertThat(sh(id, CURL + "-p http://a.test:8080/")).doesNotContain("site a").doesNotEndWith("exit=0");
        // N-09: an allowed name that resolves to a private address
        assertThat(sh(id, DIRECT + "http://private.test/")).doesNotContain("site").doesNotEndWith("exit=0");
        // N-11: the host's own addresses and the control port
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.HOST_SIDE + ":" + server.airlock.port() + "/health"))
                .doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "http://127.0.0.1:" + server.airlock.port() + "/health")).doesNotEndWith("exit=0");
        // N-06, N-05: UDP and IPv6 go nowhere
        assertThat(sh(id, "python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                + "s.sendto(b'x', ('" + FakeInternet.B + "', 9999)); print('sent')\" 2>&1 | tail -1")).doesNotContain("sent");
        assertThat(sh(id, "python3 -c \"import socket; s=socket.socket(socket.AF_INET6); s.settimeout(5); "
                + "s.connect(('2001:db8::20', 80)); print('connected')\" 2>&1 | tail -1")).doesNotContain("connected");
        // N-04: a DNS tunnel through a denied name never reaches the real resolver
        sh(id, "python3 -c \"import socket; socket.gethostbyname('c2VjcmV0.b.test')\"");
        sh(id, "python3 -c \"import socket; socket.gethostbyname('dGhlIGtleQ.example')\"");
        assertThat(internet.questions).noneMatch(q -> q.contains("c2vjcmv0") || q.contains("dghlievrzxk"));

        List<String> events = events(audit(id));
        assertThat(events).anyMatch(e -> e.startsWith("allow tcp a.test " + FakeInternet.A + ":80 "));
        assertThat(events).anyMatch(e -> e.startsWith("allow tcp a.test " + FakeInternet.A + ":443 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny dns b.test "));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - " + FakeInternet.B + ":80 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp a.test " + FakeInternet.B + ":80 address-mismatch"));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp a.test " + FakeInternet.B + ":443 address-mismatch"));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - " + FakeInternet.B + ":8080 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp a.test " + FakeInternet.A + ":8080 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny dns private.test 10.0.0.7:53 blocked-range"));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - " + FakeInternet.HOST_SIDE + ":" + server.airlock.port()));
        assertThat(events).anyMatch(e -> e.startsWith("deny udp - " + FakeInternet.B + ":9999 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - 2001:db8::20:0 ipv6"));
        assertThat(events).anyMatch(e -> e.startsWith("deny dns c2vjcmv0.b.test "));
        // the events are sorted oldest first and the run's proposal is the one allowed name
        assertThat(audit(id).get("proposedAllowOut")).isNotNull();
    }

    @Test
    void oneRequestPerConnection_keepAliveAndPipeliningCannotReachAnotherHost_N07() throws Exception {
        String id = create("{\"allowOut\":[\"a.test\"],\"denyOut\":[\"0.0.0.0/0\"]}");
        // Through the proxy, curl reuses one connection for both URLs unless the proxy closes it.
        assertThat(sh(id, CURL + "http://a.test/ http://b.test/")).doesNotContain("site a\nsite a").doesNotEndWith("exit=0");
        // Transparently: two pipelined requests on one connection, the second for another host.
        String pipelined = "python3 -c \"import socket\ns=socket.create_connection(('a.test', 80), timeout=5)\n"
                + "s.sendall(b'GET / HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: b.test\\r\\n\\r\\n')\n"
                + "data=b''\nwhile True:\n    d=s.recv(65536)\n    if not d: break\n    data+=d\n"
                + "print(data.count(b'HTTP/1.'), data.count(b'site a'))\"";
        assertThat(sh(id, "no_proxy='*' " + pipelined)).isEqualTo("1 1|exit=0");
    }

    @Test
    void hostAddressesAndHostLoopback_refusedEvenWithInternetAccess_N10_N11() throws Exception {
        String id = create("{}"); // as open as the ceiling (*) allows
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.A + "/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.HOST_SIDE + ":" + server.airlock.port() + "/health"))
                .doesNotEndWith("exit=0");
        // 127.0.0.1 inside a sandbox is its own loopback; through the proxy it is refused by rule
        assertThat(sh(id, CURL + "--noproxy '' -p -x http://127.100.0.1:3128 http://127.0.0.1:" + server.airlock.port() + "/health"))
                .doesNotEndWith("exit=0");
        List<String> events = events(audit(id));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - " + FakeInternet.HOST_SIDE + ":" + server.airlock.port() + " host-address"));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp - 127.0.0.1:" + server.airlock.port() + " "));
    }

    @Test
    void putNetwork_replacesRulesForNewConnections() throws Exception {
        String id = create("{\"allowOut\":[\"a.test\"],\"denyOut\":[\"0.0.0.0/0\"]}");
        assertThat(sh(id, DIRECT + "http://b.test/")).doesNotContain("site b");

        HttpResponse<String> r = server.send("PUT", "/sandboxes/" + id + "/network",
                "{\"allowOut\":[\"a.test\",\"b.test\"],\"denyOut\":[\"0.0.0.0/0\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(sh(id, DIRECT + "http://b.test/")).isEqualTo("site b|exit=0");

        r = server.send("PUT", "/sandboxes/" + id + "/network", "{\"allow_internet_access\":false}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(sh(id, DIRECT + "http://a.test/")).doesNotContain("site a");
    }

    @Test
    void noInternetAccess_noNetworkAtAll_untilPutNetworkOpensOne() throws Exception {
        HttpResponse<String> r = server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"allow_internet_access\":false}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("sandboxID").asText();
        assertThat(sh(id, "echo \"proxy=${HTTP_PROXY:-none}\"; ip -o link 2>/dev/null | grep -c eg0 || true"))
                .startsWith("proxy=none");
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.A + "/")).doesNotContain("site a").doesNotEndWith("exit=0");

        r = server.send("PUT", "/sandboxes/" + id + "/network", "{\"allowOut\":[\"a.test\"],\"denyOut\":[\"0.0.0.0/0\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(sh(id, DIRECT + "http://a.test/")).isEqualTo("site a|exit=0");
    }

    @Test
    void learnMode_proposesExactlyTheNamesTheRunUsed() throws Exception {
        String id = create("{\"learn\":true}");
        assertThat(sh(id, DIRECT + "http://a.test/ && " + CURL + "-k https://a.test/")).isEqualTo("site a\nsite a|exit=0");
        JsonNode audit = audit(id);
        List<String> proposal = StreamSupport.stream(audit.get("proposedAllowOut").spliterator(), false).map(JsonNode::asText).toList();
        assertThat(proposal).containsExactly("a.test");
        server.send("DELETE", "/sandboxes/" + id, null);
        assertThat(audit(id).get("proposedAllowOut").get(0).asText()).as("the audit outlives the sandbox").isEqualTo("a.test");
    }

    @Test
    void tenantCeiling_narrowsWhatASandboxMayAskFor() throws Exception {
        JsonNode tenant = JSON.readTree(server.send("POST", "/admin/tenants", "{\"name\":\"egress-" + System.nanoTime() + "\"}").body());
        String key = tenant.get("apiKey").asText();
        HttpResponse<String> r = server.send("PUT", "/admin/tenants/" + tenant.get("id").asText() + "/egress", "{\"ceiling\":[\"a.test\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        r = server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"network\":{\"allowOut\":[\"a.test\",\"b.test\"],"
                + "\"denyOut\":[\"0.0.0.0/0\"]}}", key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("sandboxID").asText();

        assertThat(sh(id, DIRECT + "http://a.test/", key)).isEqualTo("site a|exit=0");
        assertThat(sh(id, CURL + "http://b.test/", key)).doesNotContain("site b").doesNotEndWith("exit=0");
        r = server.send("GET", "/v1/sandboxes/" + id + "/egress", null, key);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(events(JSON.readTree(r.body()))).anyMatch(e -> e.startsWith("deny tcp b.test -:80 outside-tenant-ceiling"));
        // narrowing the ceiling reaches the running sandbox at once
        r = server.send("PUT", "/admin/tenants/" + tenant.get("id").asText() + "/egress", "{\"ceiling\":[\"b.test\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(sh(id, DIRECT + "http://a.test/", key)).doesNotContain("site a").doesNotEndWith("exit=0");
        // another tenant's audit is the same 404 as none
        assertThat(server.send("GET", "/v1/sandboxes/" + id + "/egress", null).statusCode()).isEqualTo(404);
    }

    @Test
    void gvisorSandbox_getsTheSameEnforcement() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"runtime\":\"runsc\","
                + "\"network\":{\"allowOut\":[\"a.test\"],\"denyOut\":[\"0.0.0.0/0\"]}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).get("sandboxId").asText();
        assertThat(sh(id, DIRECT + "http://a.test/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, DIRECT + "-k https://a.test/")).isEqualTo("site a|exit=0");
        assertThat(sh(id, DIRECT + "http://" + FakeInternet.B + "/")).doesNotContain("site b").doesNotEndWith("exit=0");
        assertThat(sh(id, DIRECT + "-H 'Host: a.test' http://" + FakeInternet.B + "/")).doesNotContain("site").doesNotEndWith("exit=0");
        List<String> events = events(audit(id));
        assertThat(events).anyMatch(e -> e.startsWith("allow tcp a.test " + FakeInternet.A + ":443 "));
        assertThat(events).anyMatch(e -> e.startsWith("deny tcp a.test " + FakeInternet.B + ":80 address-mismatch"));
    }

    @Test
    void limits_connectionCapAndByteQuota_endConnectionsAndAreAudited() throws Exception {
        try (TestServer small = TestServer.start(Map.of(), Map.of("AIRLOCK_EGRESS_CEILING", "a.test",
                "AIRLOCK_DNS", internet.dnsAddress(), "AIRLOCK_EGRESS_MAX_CONNECTIONS", "2", "AIRLOCK_EGRESS_QUOTA_BYTES", "2000",
                "AIRLOCK_STATE", "/run/airlock-test-limits-" + ProcessHandle.current().pid()))) {
            HttpResponse<String> r = small.send("POST", "/sandboxes", "{\"templateID\":\"base\"}");
            String id = JSON.readTree(r.body()).get("sandboxID").asText();
            // three silent connections at once; the third is refused at once
            String open = "python3 -c \"import socket\nsocks=[socket.create_connection(('" + FakeInternet.A + "', 80), timeout=5) for _ in range(3)]\n"
                    + "print(socks[2].recv(1) == b'')\"";
            HttpResponse<String> e = small.send("POST", "/v1/sandboxes/" + id + "/exec", JSON.writeValueAsString(Map.of("cmd", open)));
            assertThat(JSON.readTree(e.body()).path("stdout").asText()).as(e.body()).isEqualTo("True\n");
            // the byte quota: requests succeed until 2000 bytes have gone both ways, then none does
            String loop = "for i in $(seq 1 20); do curl -f -s --max-time 5 --noproxy '*' http://a.test/ >/dev/null && echo ok; done | wc -l";
            e = small.send("POST", "/v1/sandboxes/" + id + "/exec", JSON.writeValueAsString(Map.of("cmd", loop)));
            int ok = Integer.parseInt(JSON.readTree(e.body()).path("stdout").asText().strip());
            assertThat(ok).as("requests that got through before the quota").isBetween(1, 19);
            HttpResponse<String> a = small.send("GET", "/v1/sandboxes/" + id + "/egress", null);
            assertThat(a.body()).contains("connection-limit").contains("byte-quota");
        }
    }

    @Test
    void badNetworkRules_get400NamingTheField() throws Exception {
        HttpResponse<String> r = server.send("POST", "/sandboxes",
                "{\"templateID\":\"base\",\"network\":{\"allowOut\":[\"a.test\"]}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("0.0.0.0/0");
        r = server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"network\":{\"denyOut\":[\"b.test\"]}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("denyOut");
        r = server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"network\":{\"allowOut\":[\"a..test\"],\"denyOut\":[\"0.0.0.0/0\"]}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("allowOut[0]");
    }
}
