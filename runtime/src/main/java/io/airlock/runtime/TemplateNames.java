package io.airlock.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.TemplateRecipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Template names mapped to builds: one small JSON file {@code names/<name>} per name holding the
 * recipe hash and the recipe as registered under that name, replaced atomically, so a reader in
 * another process sees the old or the new mapping, never half of one.
 *
 * <p>The recipe is kept per name, not only per build, because the hash leaves out the name and
 * the tier: two names may share one root filesystem and still differ in those. Temporary files
 * start with a dot, which no template name does. A file that cannot be parsed reads as unbuilt,
 * and the next build of that name rewrites it.
 */
final class TemplateNames {
    /**
     * What one name points at.
     *
     * @param hash the cache entry holding the root filesystem
     * @param recipe the recipe registered under the name
     */
    record Entry(String hash, TemplateRecipe recipe) {}

    private static final Logger log = LoggerFactory.getLogger(TemplateNames.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    TemplateNames(Path dir) {
        this.dir = dir;
    }

    /** Points {@code recipe.name()} at the build {@code hash}, unless it already points there with this recipe. */
    void register(TemplateRecipe recipe, String hash) throws IOException {
        Entry entry = new Entry(hash, recipe);
        if (entry(recipe.name()).filter(entry::equals).isPresent()) {
            return;
        }
        Files.createDirectories(dir);
        TemplateFiles.writeAtomically(dir.resolve(recipe.name()), json.writeValueAsBytes(entry));
    }

    /**
     * A token that changes whenever {@code name} is registered anew (names are replaced by atomic
     * rename, so the file's identity and time change); empty if the name is not registered.
     */
    Optional<Object> version(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes a = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class);
            return Optional.of(List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** What {@code name} points at; empty for unknown, malformed or unreadable names. */
    Optional<Entry> entry(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file), Entry.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {}; treating template '{}' as unbuilt until it is built again", file, name, e);
            return Optional.empty();
        }
    }

    /** Every registered name, sorted. */
    List<String> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the template names in " + dir, e);
        }
    }
}
