package io.airlock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.airlock.sdk.AirlockClient;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the client, the output streams and {@code --json}. */
abstract class CliCommand {
    /** Instants and durations print as ISO-8601 text. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule()
                    .addSerializer(java.time.Instant.class, ToStringSerializer.instance)
                    .addSerializer(java.time.Duration.class, ToStringSerializer.instance))
            .build();

    @Spec
    CommandSpec spec;

    private AirlockClient client;

    Main root() {
        return (Main) spec.root().userObject();
    }

    AirlockClient client() {
        if (client == null) {
            CliConfig c = root().config();
            client = AirlockClient.builder().url(c.url()).apiKey(c.apiKey()).build();
        }
        return client;
    }

    boolean json() {
        return root().json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code value} as JSON (for {@code --json}). */
    /** Prints {@code value} as JSON under {@code --json}, else runs {@code human}; returns exit code 0. */
    int print(Object value, Runnable human) {
        if (json()) {
            printJson(value);
        } else {
            human.run();
        }
        return 0;
    }

    void printJson(Object value) {
        try {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CliException("cannot print JSON: " + e.getMessage());
        }
        out().flush();
    }
}
