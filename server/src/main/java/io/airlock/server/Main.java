package io.airlock.server;

import io.airlock.core.AirlockException;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.Template;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Templates;
import io.airlock.runtime.TemplateCatalog;
import io.airlock.runtime.TemplateProgressBar;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Process entry point, called by {@code ./airlock}.
 *
 * <ul>
 *   <li>{@code serve}: start the server and run until SIGTERM/SIGINT, then shut down gracefully;
 *   <li>{@code templates}: build the built-in templates that are not cached yet;
 * </ul>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        String command = args.length == 0 ? "serve" : args[0];
        AirlockConfig config;
        try {
            config = AirlockConfig.fromEnvironment(System.getenv());
        } catch (AirlockException e) {
            System.err.println("airlock: " + e.getMessage());
            System.exit(2);
            return;
        }
        switch (command) {
            case "serve" -> serve(config);
            case "templates" -> buildTemplates(config);
            default -> {
                System.err.println("airlock: unknown command '" + command + "'; use serve or templates (the CLI has the rest: ./airlock --help)");
                System.exit(2);
            }
        }
    }

    private static void buildTemplates(AirlockConfig config) {
        Templates templates = TemplateCatalog.open(config.templates(), Clock.systemUTC());
        for (TemplateRecipe recipe : BuiltinTemplates.all()) {
            try {
                Template t = templates.build(recipe, TemplateProgressBar.forConsole(recipe.name()));
                System.err.println("airlock: template " + t.name() + " ready (" + t.hash().substring(0, 12) + ")");
            } catch (AirlockException e) {
                System.err.println("airlock: " + e.getMessage());
                System.exit(1);
            }
        }
    }

    private static void serve(AirlockConfig config) throws InterruptedException {
        Airlock airlock;
        try {
            airlock = Airlock.start(config);
        } catch (AirlockException e) {
            System.err.println("airlock: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        airlock.firstAdminKey().ifPresent(key -> System.err.println(
                "airlock: created the admin tenant. Its API key, shown only this once (also in "
                        + config.home().resolve("admin.key") + ", mode 0600):\n\n    " + key + "\n"));
        System.err.println("airlock: listening on http://" + config.bind() + ":" + airlock.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            airlock.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
