package io.airlock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./airlock tenants ...} and {@code ./airlock keys ...}: the admin API from the command
 * line, against the local server, authenticated with {@code $AIRLOCK_HOME/admin.key}.
 */
final class AdminCli {
    static final String USAGE = """
            usage: ./airlock tenants create NAME [MAX_SANDBOXES]   create a tenant; prints its first API key once
                   ./airlock tenants list
                   ./airlock tenants revoke TENANT_ID              revoke its keys and kill its sandboxes
                   ./airlock keys create TENANT_ID [NAME]          prints the new key once
                   ./airlock keys list TENANT_ID
                   ./airlock keys revoke KEY_ID""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String adminKey;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminCli(String baseUrl, String adminKey, PrintStream out) {
        this.baseUrl = baseUrl;
        this.adminKey = adminKey;
        this.out = out;
    }

    /** Runs {@code args} (e.g. {@code tenants create acme}); returns the exit code. */
    static int run(AirlockConfig config, List<String> args, PrintStream out, PrintStream err) {
        String key;
        try {
            key = Files.readString(config.home().resolve("admin.key")).trim();
        } catch (NoSuchFileException e) {
            err.println("airlock: " + config.home().resolve("admin.key") + " does not exist; start the server once (./airlock up) to create it");
            return 1;
        } catch (IOException e) {
            err.println("airlock: cannot read the admin key: " + e.getMessage());
            return 1;
        }
        String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
        AdminCli cli = new AdminCli("http://" + host + ":" + config.port(), key, out);
        try {
            return cli.dispatch(args) ? 0 : usage(err);
        } catch (ConnectException e) {
            err.println("airlock: no server at " + cli.baseUrl + "; start it with ./airlock up");
            return 1;
        } catch (IOException | InterruptedException e) {
            err.println("airlock: " + e.getMessage());
            return 1;
        } catch (AdminError e) {
            err.println("airlock: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream err) {
        err.println(USAGE);
        return 2;
    }

    private boolean dispatch(List<String> a) throws IOException, InterruptedException {
        String verb = a.size() >= 2 ? a.get(0) + " " + a.get(1) : "";
        switch (verb) {
            case "tenants create" -> {
                if (a.size() < 3) {
                    return false;
                }
                ObjectNode body = JSON.createObjectNode().put("name", a.get(2));
                if (a.size() > 3) {
                    body.put("maxSandboxes", Integer.parseInt(a.get(3)));
                }
                JsonNode t = call("POST", "/admin/tenants", body.toString());
                out.println("tenant " + t.get("id").asText() + " (" + t.get("name").asText() + "), at most "
                        + t.get("maxSandboxes").asInt() + " sandboxes");
                out.println("API key (shown once): " + t.get("apiKey").asText());
            }
            case "tenants list" -> {
                for (JsonNode t : call("GET", "/admin/tenants", null)) {
                    out.printf("%s  %-24s max %-5d %s%s%n", t.get("id").asText(), t.get("name").asText(),
                            t.get("maxSandboxes").asInt(), t.get("createdAt").asText(), t.get("admin").asBoolean() ? "  admin" : "");
                }
            }
            case "tenants revoke" -> {
                if (a.size() < 3) {
                    return false;
                }
                call("DELETE", "/admin/tenants/" + a.get(2), null);
                out.println("revoked tenant " + a.get(2));
            }
            case "keys create" -> {
                if (a.size() < 3) {
                    return false;
                }
                String body = JSON.createObjectNode().put("name", a.size() > 3 ? a.get(3) : "default").toString();
                JsonNode k = call("POST", "/admin/tenants/" + a.get(2) + "/keys", body);
                out.println("key " + k.get("id").asText() + " for tenant " + a.get(2));
                out.println("API key (shown once): " + k.get("apiKey").asText());
            }
            case "keys list" -> {
                if (a.size() < 3) {
                    return false;
                }
                for (JsonNode k : call("GET", "/admin/tenants/" + a.get(2) + "/keys", null)) {
                    out.printf("%s  %-12s %-16s %s%s%n", k.get("id").asText(), k.get("prefix").asText() + "…", k.get("name").asText(),
                            k.get("createdAt").asText(), k.has("revokedAt") ? "  revoked " + k.get("revokedAt").asText() : "");
                }
            }
            case "keys revoke" -> {
                if (a.size() < 3) {
                    return false;
                }
                call("DELETE", "/admin/keys/" + a.get(2), null);
                out.println("revoked key " + a.get(2));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-API-Key", adminKey)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400) {
            String message = r.body();
            try {
                message = JSON.readTree(r.body()).path("message").asText(r.body());
            } catch (IOException ignored) {
                // not JSON: show it as it came
            }
            throw new AdminError(r.statusCode() + ": " + message);
        }
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** The server refused a request; the message is its answer. */
    static final class AdminError extends RuntimeException {
        AdminError(String message) {
            super(message, null, false, false);
        }
    }
}
