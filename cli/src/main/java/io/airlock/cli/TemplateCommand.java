package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code airlock template ls|build}. */
@Command(name = "template", description = "List and build templates.",
        subcommands = {TemplateCommand.Ls.class, TemplateCommand.Build.class})
final class TemplateCommand {
    private TemplateCommand() {}

    @Command(name = "ls", aliases = "list", description = "List built templates.")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            JsonNode all = new ApiHttp(root().config()).call("GET", "/v1/templates", null);
            return print(all, () -> {
                out().printf("%-20s %-14s %-8s %s%n", "NAME", "HASH", "RUNTIME", "BUILT");
                all.forEach(t -> out().printf("%-20s %-14s %-8s %s%n", t.path("name").asText(),
                        t.path("hash").asText().substring(0, Math.min(12, t.path("hash").asText().length())),
                        t.path("runtime").asText(), t.path("builtAt").asText()));
            });
        }
    }

    @Command(name = "build", description = "Build a built-in template on the server (admin key), with progress.")
    static final class Build extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "base or code-interpreter")
        String name;

        @Override
        public Integer call() {
            AtomicReference<JsonNode> done = new AtomicReference<>();
            new ApiHttp(root().config()).stream("POST", "/v1/templates/" + ApiHttp.segment(name) + "/build", null, Duration.ofMinutes(30), line -> {
                if (line.has("fraction")) {
                    if (!json()) {
                        err().printf("\r%3.0f%%  %-60.60s", line.path("fraction").asDouble() * 100, line.path("message").asText());
                        err().flush();
                    }
                } else {
                    done.set(line);
                }
            });
            if (!json()) {
                err().println();
            }
            JsonNode end = done.get();
            if (end == null || end.has("error")) {
                throw new CliException("building " + name + " failed: " + (end == null ? "the server ended the stream" : end.path("error").asText()));
            }
            return print(end.get("template"), () -> out().println("built " + name + " " + end.path("template").path("hash").asText()));
        }
    }
}
