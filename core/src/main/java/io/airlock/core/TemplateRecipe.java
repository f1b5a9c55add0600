package io.airlock.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A declarative description of a sandbox root filesystem, built from Debian packages.
 *
 * <p>Two recipes with the same content have the same {@link #hash()}, and the template cache is
 * keyed by that hash: rebuilding an unchanged recipe is free. The hash covers everything that
 * changes the bytes of the root filesystem (suite, packages, users, files) and everything that
 * changes how sandboxes start from it (env, workdir, default user, start command), but not the
 * template's name, so two names for one recipe share one build.
 *
 * @param name the template's name, e.g. {@code base}
 * @param suite the Debian suite, e.g. {@code bookworm}
 * @param packages apt packages to install (order does not matter)
 * @param users login users to create
 * @param files files to write into the rootfs: absolute path to content
 * @param env environment every process in the sandbox starts with
 * @param workdir default working directory of processes
 * @param defaultUser user processes run as when the caller names none
 * @param startCommand a command started in the background when a sandbox starts; empty for none
 * @param tier the runtime tier sandboxes from this template use unless the request says otherwise
 */
public record TemplateRecipe(
        String name,
        String suite,
        List<String> packages,
        List<UserSpec> users,
        Map<String, String> files,
        Map<String, String> env,
        String workdir,
        String defaultUser,
        String startCommand,
        Tier tier) {

    public TemplateRecipe {
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new InvalidRequestException("name", "template name '" + name + "' must match [a-z0-9][a-z0-9._-]{0,62}");
        }
        if (!suite.matches("[a-z]+")) {
            throw new InvalidRequestException("suite", "'" + suite + "' is not a Debian suite name");
        }
        for (String p : packages) {
            if (!p.matches("[a-z0-9][a-z0-9+.-]+")) {
                throw new InvalidRequestException("packages", "'" + p + "' is not a Debian package name");
            }
        }
        for (String path : files.keySet()) {
            if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..")) {
                throw new InvalidRequestException("files", "file path '" + path + "' must be absolute and not contain '..'");
            }
        }
        packages = List.copyOf(new TreeSet<>(packages));
        users = List.copyOf(users);
        files = Map.copyOf(files);
        env = Map.copyOf(env);
    }

    /** This recipe under another name, with more packages: how {@code code-interpreter} extends {@code base}. */
    public TemplateRecipe extend(String newName, List<String> morePackages) {
        List<String> all = new ArrayList<>(packages);
        all.addAll(morePackages);
        return new TemplateRecipe(newName, suite, all, users, files, env, workdir, defaultUser, startCommand, tier);
    }

    /** Hex SHA-256 over a canonical rendering of the recipe's content (not its name). */
    public String hash() {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("suite", suite);
        canonical.put("packages", packages);
        canonical.put("users", users.stream().map(u -> u.name() + ":" + u.uid() + ":" + u.home() + ":" + u.sudo()).toList());
        canonical.put("files", new TreeMap<>(files));
        canonical.put("env", new TreeMap<>(env));
        canonical.put("workdir", workdir);
        canonical.put("defaultUser", defaultUser);
        canonical.put("startCommand", startCommand);
        canonical.put("format", 1);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /** The home directory of {@code user}, or {@code /root} for root. */
    public String homeOf(String user) {
        return users.stream().filter(u -> u.name().equals(user)).map(UserSpec::home).findFirst().orElse("/root");
    }
}
