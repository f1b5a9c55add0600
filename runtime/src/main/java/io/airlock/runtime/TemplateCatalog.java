package io.airlock.runtime;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.Templates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Opens the template catalogue: {@link Templates} that builds Debian root filesystems with
 * mmdebstrap and caches them under a directory, normally {@code $AIRLOCK_HOME/templates}.
 *
 * <p>The cache is the directory itself: a catalogue created over a directory another process
 * filled ({@code ./airlock up}, an earlier server) finds its templates, and two processes
 * building the same recipe at once share one build through a file lock. Builds run as root:
 * mmdebstrap in root mode, inside {@code unshare}, so the host needs {@code mmdebstrap} and
 * util-linux's {@code unshare} on the {@code PATH} and network access to the Debian mirror.
 */
public final class TemplateCatalog {
    /** How long one build may run before mmdebstrap is killed: long enough for {@code code-interpreter} on a slow mirror. */
    public static final Duration DEFAULT_BUILD_TIMEOUT = Duration.ofMinutes(20);

    private TemplateCatalog() {}

    /**
     * The catalogue over {@code templatesDir}, with the default build timeout.
     *
     * @param clock stamps {@link io.airlock.core.Template#builtAt()} and times builds
     */
    public static Templates open(Path templatesDir, InstantSource clock) {
        return open(templatesDir, clock, DEFAULT_BUILD_TIMEOUT);
    }

    /**
     * The catalogue over {@code templatesDir}. Nothing is read or created until the first call.
     *
     * @param clock stamps {@link io.airlock.core.Template#builtAt()} and times builds
     * @param buildTimeout after this long a build's whole process tree is killed and the build fails
     * @throws InvalidRequestException if {@code buildTimeout} is not positive
     */
    public static Templates open(Path templatesDir, InstantSource clock, Duration buildTimeout) {
        if (buildTimeout.isNegative() || buildTimeout.isZero()) {
            throw new InvalidRequestException("buildTimeout", "template build timeout " + buildTimeout + " must be positive, e.g. PT20M");
        }
        return new MmdebstrapTemplates(templatesDir, clock, buildTimeout);
    }
}
