package io.airlock.server.interpreter;

import io.airlock.core.SandboxService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The kernel scripts, shipped as classpath resources of this package and copied into a sandbox
 * (as root, under {@link #DIR}) before its first context starts.
 */
final class KernelFiles {
    /** Where kernels live inside a sandbox. */
    static final String DIR = "/opt/airlock/kernels";
    private static final String RESOURCES = "kernels/";

    private KernelFiles() {}

    static boolean shipped(String file) {
        return KernelFiles.class.getResource(RESOURCES + file) != null;
    }

    /** Copies every shipped kernel into the sandbox, replacing older copies. */
    static void install(SandboxService sandboxes, String sandboxId) {
        for (Language l : Language.values()) {
            if (!l.available()) {
                continue;
            }
            try (InputStream in = KernelFiles.class.getResourceAsStream(RESOURCES + l.kernelFile())) {
                if (in == null) {
                    continue;
                }
                sandboxes.files(sandboxId).write(DIR + "/" + l.kernelFile(), "root", in, Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the shipped kernel " + l.kernelFile(), e);
            }
        }
    }
}
