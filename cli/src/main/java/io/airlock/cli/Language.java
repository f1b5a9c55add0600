package io.airlock.cli;

import java.util.Locale;

/** The languages {@code airlock run} runs, how each is started, and how a file names its own. */
enum Language {
    PYTHON("python3", ".py"),
    JS("node", ".js"),
    BASH("bash", ".sh");

    final String interpreter;
    final String extension;

    Language(String interpreter, String extension) {
        this.interpreter = interpreter;
        this.extension = extension;
    }

    static Language parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "python", "py", "python3" -> PYTHON;
            case "js", "javascript", "node" -> JS;
            case "bash", "sh", "shell" -> BASH;
            default -> throw new CliException("--lang must be python, js or bash, not '" + name + "'", 2);
        };
    }

    /** The language a file's extension names, or null. */
    static Language ofFile(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (Language l : values()) {
            if (lower.endsWith(l.extension)) {
                return l;
            }
        }
        return lower.endsWith(".mjs") || lower.endsWith(".cjs") ? JS : null;
    }
}
