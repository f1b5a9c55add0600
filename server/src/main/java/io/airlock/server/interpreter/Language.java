package io.airlock.server.interpreter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A language a context can run: which kernel file it needs and how that kernel is launched inside
 * the sandbox. A language whose kernel file is not shipped with this build is not offered.
 */
enum Language {
    PYTHON("python", "python_kernel.py", List.of("python3", "-u", KernelFiles.DIR + "/python_kernel.py")),
    JAVASCRIPT("javascript", "js_kernel.js", List.of("node", KernelFiles.DIR + "/js_kernel.js")),
    BASH("bash", "bash_kernel.py", List.of("python3", "-u", KernelFiles.DIR + "/bash_kernel.py"));

    private final String wireName;
    private final String kernelFile;
    private final List<String> command;

    Language(String wireName, String kernelFile, List<String> command) {
        this.wireName = wireName;
        this.kernelFile = kernelFile;
        this.command = command;
    }

    /** The name E2B uses for it in contexts ({@code python}, {@code javascript}, {@code bash}). */
    String wireName() {
        return wireName;
    }

    String kernelFile() {
        return kernelFile;
    }

    /** argv of the kernel process. */
    List<String> command() {
        return command;
    }

    boolean available() {
        return KernelFiles.shipped(kernelFile);
    }

    /**
     * The language a request names, accepting E2B's names and common aliases; python when none.
     *
     * @throws InterpreterException 400 naming the supported languages
     */
    static Language parse(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return PYTHON;
        }
        String name = raw.strip().toLowerCase(Locale.ROOT);
        Language l = switch (name) {
            case "python", "python3", "py", "ipython" -> PYTHON;
            case "javascript", "js", "node", "nodejs" -> JAVASCRIPT;
            case "bash", "sh", "shell" -> BASH;
            default -> null;
        };
        if (l == null || !l.available()) {
            String shown = raw.length() > 40 ? raw.substring(0, 40) + "…" : raw;
            throw InterpreterException.badRequest("language: '" + shown + "' is not supported here; use one of "
                    + String.join(", ", supported()));
        }
        return l;
    }

    static List<String> supported() {
        List<String> names = new ArrayList<>();
        for (Language l : values()) {
            if (l.available()) {
                names.add(l.wireName);
            }
        }
        return names;
    }
}
