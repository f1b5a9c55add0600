package io.airlock.runtime;

import io.airlock.core.TemplateRecipe;

/**
 * The content of {@code <hash>/recipe.json}, written last: its presence marks a complete build.
 *
 * @param format layout version of the cache entry, {@link #FORMAT} when written by this code
 * @param hash the recipe's hash, also the entry's directory name
 * @param builtAt when the build finished, ISO-8601
 * @param recipe the recipe as first built; other names may share it
 */
record TemplateManifest(int format, String hash, String builtAt, TemplateRecipe recipe) {
    static final int FORMAT = 1;
}
