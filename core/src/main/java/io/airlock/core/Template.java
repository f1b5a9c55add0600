package io.airlock.core;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A built template: a recipe and the read-only root filesystem built from it.
 *
 * @param recipe what was built
 * @param rootfs the root filesystem directory; never written after the build
 * @param builtAt when the build finished
 */
public record Template(TemplateRecipe recipe, Path rootfs, Instant builtAt) {
    public String name() {
        return recipe.name();
    }

    public String hash() {
        return recipe.hash();
    }
}
