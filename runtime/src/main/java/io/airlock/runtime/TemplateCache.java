package io.airlock.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The on-disk layout of built templates under one directory ({@code $AIRLOCK_HOME/templates}).
 *
 * <pre>
 * &lt;hash&gt;.lock              exclusive file lock held while building &lt;hash&gt;
 * &lt;hash&gt;/rootfs            the root filesystem, never written after the build
 * &lt;hash&gt;/rootfs.partial    the root filesystem while mmdebstrap writes it
 * &lt;hash&gt;/staging/          recipe file contents handed to mmdebstrap's hooks
 * &lt;hash&gt;/build.log         mmdebstrap's output, kept after a failure
 * &lt;hash&gt;/packages.txt      installed package versions, {@code name<TAB>version}
 * &lt;hash&gt;/recipe.json       {@link TemplateManifest}, written last and atomically
 * names/&lt;name&gt;             see {@link TemplateNames}
 * </pre>
 *
 * <p>An entry without {@code recipe.json} is an unfinished build (crashed, killed or failed): it
 * is never handed out and is deleted before the next build of that hash.
 */
final class TemplateCache {
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    TemplateCache(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path entry(String hash) {
        return dir.resolve(hash);
    }

    Path lockFile(String hash) {
        return dir.resolve(hash + ".lock");
    }

    Path rootfs(String hash) {
        return entry(hash).resolve("rootfs");
    }

    Path partialRootfs(String hash) {
        return entry(hash).resolve("rootfs.partial");
    }

    Path staging(String hash) {
        return entry(hash).resolve("staging");
    }

    Path buildLog(String hash) {
        return entry(hash).resolve("build.log");
    }

    Path packages(String hash) {
        return entry(hash).resolve("packages.txt");
    }

    private Path manifestFile(String hash) {
        return entry(hash).resolve("recipe.json");
    }

    /** The manifest of a complete build of {@code hash}; empty while unbuilt or unfinished. */
    /** Whether the build of {@code hash} is committed (its manifest exists). */
    boolean committed(String hash) {
        return Files.exists(manifestFile(hash));
    }

    Optional<TemplateManifest> manifest(String hash) {
        try {
            return Optional.of(json.readValue(Files.readAllBytes(manifestFile(hash)), TemplateManifest.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifestFile(hash) + "; delete " + entry(hash)
                    + " to rebuild the template", e);
        }
    }

    /** Marks the build of {@code manifest.hash()} complete. The last step of a build. */
    void commit(TemplateManifest manifest) throws IOException {
        TemplateFiles.writeAtomically(manifestFile(manifest.hash()), json.writeValueAsBytes(manifest));
    }
}
