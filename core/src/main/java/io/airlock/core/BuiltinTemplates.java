package io.airlock.core;

import java.util.List;
import java.util.Map;

/** The templates every Airlock installation has. */
public final class BuiltinTemplates {
    private BuiltinTemplates() {}

    /** E2B-compatible base: bash, coreutils, procps, python3, node, git, curl, sudo; user {@code user} (uid 1000). */
    public static final TemplateRecipe BASE = new TemplateRecipe(
            "base",
            "bookworm",
            List.of("bash", "coreutils", "procps", "python3", "nodejs", "npm", "git", "curl", "sudo",
                    "ca-certificates", "less", "inotify-tools"),
            List.of(new UserSpec("user", 1000, "/home/user", true)),
            Map.of("/etc/profile", LoginProfile.TEXT),
            Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "LANG", "C.UTF-8"),
            "/home/user",
            "user",
            "",
            Tier.RUNC);

    /** {@link #BASE} plus numpy, pandas and matplotlib. */
    public static final TemplateRecipe CODE_INTERPRETER = BASE.extend(
            "code-interpreter", List.of("python3-numpy", "python3-pandas", "python3-matplotlib"));

    /** Both built-in recipes. */
    public static List<TemplateRecipe> all() {
        return List.of(BASE, CODE_INTERPRETER);
    }
}
