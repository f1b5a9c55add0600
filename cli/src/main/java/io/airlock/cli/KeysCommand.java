package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code airlock keys create|ls|revoke} for admins, over {@code /admin/tenants/{id}/keys}. */
@Command(name = "keys", description = "Manage API keys (admin key).",
        subcommands = {KeysCommand.Create.class, KeysCommand.Ls.class, KeysCommand.Revoke.class})
final class KeysCommand {
    private KeysCommand() {}

    @Command(name = "create", description = "Create a key for a tenant; prints it once.")
    static final class Create extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TENANT_ID")
        String tenant;

        @Parameters(index = "1", paramLabel = "NAME", arity = "0..1")
        String name = "default";

        @Override
        public Integer call() {
            JsonNode k = new ApiHttp(root().config()).call("POST", "/admin/tenants/" + ApiHttp.segment(tenant) + "/keys", Map.of("name", name));
            return print(k, () -> {
                out().printf("key %s (%s)%nAPI key (shown once): %s%n", k.path("id").asText(), k.path("name").asText(),
                        k.path("apiKey").asText());
            });
        }
    }

    @Command(name = "ls", aliases = "list", description = "List a tenant's keys (never the keys themselves).")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "TENANT_ID")
        String tenant;

        @Override
        public Integer call() {
            JsonNode all = new ApiHttp(root().config()).call("GET", "/admin/tenants/" + ApiHttp.segment(tenant) + "/keys", null);
            return print(all, () -> {
                out().printf("%-30s %-16s %-18s %s%n", "ID", "NAME", "PREFIX", "STATE");
                all.forEach(k -> out().printf("%-30s %-16s %-18s %s%n", k.path("id").asText(), k.path("name").asText(),
                        k.path("prefix").asText(), k.hasNonNull("revokedAt") ? "revoked" : "active"));
            });
        }
    }

    @Command(name = "revoke", description = "Revoke a key.")
    static final class Revoke extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "KEY_ID")
        String id;

        @Override
        public Integer call() {
            new ApiHttp(root().config()).call("DELETE", "/admin/keys/" + ApiHttp.segment(id), null);
            out().println("revoked " + id);
            return 0;
        }
    }
}
