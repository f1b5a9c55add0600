package io.airlock.core;

import java.util.List;
import java.util.Optional;

/**
 * The template catalogue and builder.
 *
 * <p>Builds are cached by {@link TemplateRecipe#hash()}. Concurrent requests for the same recipe
 * share one build: the second caller waits for the first and gets the same result.
 */
public interface Templates {
    /**
     * Builds the recipe unless a build with its hash is cached, and registers it under its name.
     *
     * @throws TemplateBuildException if the build fails; the partial output is removed
     */
    Template build(TemplateRecipe recipe, BuildProgress progress);

    /** The template registered under {@code name}, if it has been built. */
    Optional<Template> find(String name);

    /** All registered templates. */
    List<Template> list();
}
