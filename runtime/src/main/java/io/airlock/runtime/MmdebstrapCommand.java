package io.airlock.runtime;

import io.airlock.core.TemplateRecipe;
import io.airlock.core.UserSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The argument list of one mmdebstrap run that builds a recipe's root filesystem.
 *
 * <p>mmdebstrap runs in root mode inside {@code unshare --mount --pid --fork --kill-child}: the
 * {@code /proc}, {@code /sys} and {@code /dev} mounts it makes in the chroot live in a private
 * mount namespace, and killing the {@code unshare} process kills every process of the build, so
 * a killed or crashed build never leaves host device nodes mounted under the cache.
 *
 * <p>Everything after the package installation is done by {@code --customize-hook}s, in order:
 * users, sudoers, recipe files, the working directory, the files the runtime expects, and the
 * list of installed package versions. Every value from the recipe is shell-quoted; file contents
 * never appear on the command line but are read from staged files.
 *
 * @param argv the program and its arguments
 */
record MmdebstrapCommand(List<String> argv) {
    /** Fixed so the same recipe and mirror content give the same file tree (2025-01-01T00:00:00Z). */
    static final long SOURCE_DATE_EPOCH = 1_735_689_600L;

    /** The placeholder the runtime replaces with the sandbox's own hostname. */
    static final String HOSTNAME = "airlock";

    MmdebstrapCommand {
        argv = List.copyOf(argv);
    }

    /**
     * The command that builds {@code recipe} into {@code rootfs}.
     *
     * @param staged recipe file path inside the rootfs to the host file holding its content
     * @param packagesList where the hook writes {@code package<TAB>version} lines
     */
    static MmdebstrapCommand of(TemplateRecipe recipe, Path rootfs, SortedMap<String, Path> staged, Path packagesList) {
        List<String> argv = new ArrayList<>(List.of(
                "unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
                "mmdebstrap", "--mode=root", "--variant=apt", "--format=directory", "--verbose"));
        argv.add("--include=" + String.join(",", packages(recipe)));
        for (String hook : hooks(recipe, staged, packagesList)) {
            argv.add("--customize-hook=" + hook);
        }
        argv.add(recipe.suite());
        argv.add(rootfs.toString());
        return new MmdebstrapCommand(argv);
    }

    /** The recipe's packages plus what its users need: {@code passwd} for useradd, {@code sudo} for sudoers. */
    static List<String> packages(TemplateRecipe recipe) {
        TreeSet<String> all = new TreeSet<>(recipe.packages());
        if (!recipe.users().isEmpty()) {
            all.add("passwd");
        }
        if (recipe.users().stream().anyMatch(UserSpec::sudo)) {
            all.add("sudo");
        }
        return List.copyOf(all);
    }

    private static List<String> hooks(TemplateRecipe recipe, SortedMap<String, Path> staged, Path packagesList) {
        List<String> hooks = new ArrayList<>();
        for (UserSpec u : recipe.users()) {
            hooks.add("chroot \"$1\" groupadd --gid " + u.uid() + " " + quote(u.name())
                    + " && chroot \"$1\" useradd --create-home --uid " + u.uid() + " --gid " + u.uid()
                    + " --shell /bin/bash --home-dir " + quote(u.home()) + " " + quote(u.name()));
            if (u.sudo()) {
                String sudoers = quote("/etc/sudoers.d/" + u.name());
                hooks.add("printf '%s\\n' " + quote(u.name() + " ALL=(ALL:ALL) NOPASSWD:ALL") + " > \"$1\"" + sudoers
                        + " && chmod 0440 \"$1\"" + sudoers);
            }
        }
        // Written from inside the chroot so symlinks in the rootfs resolve inside it, never on the host.
        for (Map.Entry<String, Path> f : staged.entrySet()) {
            hooks.add("chroot \"$1\" sh -c 'mkdir -p \"$(dirname \"$0\")\" && cat > \"$0\" && chown 0:0 \"$0\" && chmod 0644 \"$0\"' "
                    + quote(f.getKey()) + " < " + quote(f.getValue().toString()));
        }
        if (!recipe.workdir().isBlank()) {
            hooks.add("chroot \"$1\" mkdir -p -- " + quote(recipe.workdir())
                    + " && chroot \"$1\" chown -- " + quote(recipe.defaultUser() + ":") + " " + quote(recipe.workdir()));
        }
        hooks.add("rm -f \"$1/etc/hostname\" \"$1/etc/resolv.conf\""
                + " && echo " + HOSTNAME + " > \"$1/etc/hostname\" && : > \"$1/etc/resolv.conf\""
                + " && chmod 0644 \"$1/etc/hostname\" \"$1/etc/resolv.conf\""
                + " && mkdir -p \"$1/proc\" \"$1/sys\" \"$1/dev\" \"$1/tmp\" \"$1/run\" \"$1/.airlock\""
                + " && chmod 1777 \"$1/tmp\" && chmod 0755 \"$1/.airlock\"");
        hooks.add("chroot \"$1\" dpkg-query --show --showformat='${Package}\\t${Version}\\n' > " + quote(packagesList.toString()));
        return hooks;
    }

    /** {@code s} as one POSIX shell word. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
