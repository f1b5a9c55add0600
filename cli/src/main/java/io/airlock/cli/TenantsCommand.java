package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code airlock tenants create|ls|revoke} for admins, over {@code /admin/tenants}. */
@Command(name = "tenants", description = "Manage tenants (admin key).",
        subcommands = {TenantsCommand.Create.class, TenantsCommand.Ls.class, TenantsCommand.Revoke.class})
final class TenantsCommand {
    private TenantsCommand() {}

    @Command(name = "create", description = "Create a tenant; prints its first API key once.")
    static final class Create extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "MAX_SANDBOXES", arity = "0..1", description = "concurrent sandboxes (default 10)")
        Integer max;

        @Override
        public Integer call() {
            JsonNode t = new ApiHttp(root().config()).call("POST", "/admin/tenants",
                    max == null ? Map.of("name", name) : Map.of("name", name, "maxSandboxes", max));
            return print(t, () -> {
                out().printf("tenant %s (%s), up to %d sandboxes%nAPI key (shown once): %s%n", t.path("id").asText(),
                        t.path("name").asText(), t.path("maxSandboxes").asInt(), t.path("apiKey").asText());
            });
        }
    }

    @Command(name = "ls", aliases = "list", description = "List tenants.")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode all = new ApiHttp(root().config()).call("GET", "/admin/tenants", null);
            return print(all, () -> {
                out().printf("%-30s %-24s %6s  %s%n", "ID", "NAME", "MAX", "ROLE");
                all.forEach(t -> out().printf("%-30s %-24s %6d  %s%n", t.path("id").asText(), t.path("name").asText(),
                        t.path("maxSandboxes").asInt(), t.path("admin").asBoolean() ? "admin" : "tenant"));
            });
        }
    }

    @Command(name = "revoke", description = "Revoke a tenant: its keys stop working and its sandboxes are killed.")
    static final class Revoke extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "TENANT_ID")
        String id;

        @Override
        public Integer call() {
            new ApiHttp(root().config()).call("DELETE", "/admin/tenants/" + ApiHttp.segment(id), null);
            out().println("revoked " + id);
            return 0;
        }
    }
}
