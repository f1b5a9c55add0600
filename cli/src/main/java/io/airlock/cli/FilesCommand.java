package io.airlock.cli;

import io.airlock.sdk.EntryType;
import io.airlock.sdk.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code airlock files cp SRC DST}: one side is {@code SANDBOX_ID:/path}, the other a local path. */
@Command(name = "files", description = "Copy files to and from sandboxes.", subcommands = FilesCommand.Cp.class)
final class FilesCommand {
    private FilesCommand() {}

    @Command(name = "cp", description = "Copy a file or directory: ID:/remote/path to a local path, or the other way.")
    static final class Cp extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC")
        String from;

        @Parameters(index = "1", paramLabel = "DST")
        String to;

        @picocli.CommandLine.Option(names = "--max-bytes", paramLabel = "N", description = "stop a download past N bytes (default 1 GiB)")
        long maxBytes = Downloads.DEFAULT_MAX_BYTES;

        @Override
        public Integer call() throws IOException {
            Remote src = Remote.parse(from);
            Remote dst = Remote.parse(to);
            if ((src == null) == (dst == null)) {
                throw new CliException("exactly one of SRC and DST must be a sandbox path like ID:/home/user/file", 2);
            }
            if (src != null) {
                Sandbox sbx = client().sandboxes().connect(src.id());
                Path local = Path.of(to);
                // Like cp and docker cp: into an existing directory, under the source's own name.
                Path target = Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)
                        ? local.resolve(Path.of(src.path()).getFileName().toString()) : local;
                Downloads downloads = new Downloads(sbx.files(), err(), maxBytes);
                try {
                    if (sbx.files().stat(src.path()).type() == EntryType.DIRECTORY) {
                        downloads.copyTree(src.path(), target);
                    } else {
                        downloads.copyFile(src.path(), target);
                    }
                } catch (IOException e) {
                    throw new CliException("cannot copy " + Safe.text(from) + " to " + target + ": " + e);
                }
            } else {
                Sandbox sbx = client().sandboxes().connect(dst.id());
                Path local = Path.of(from);
                if (Files.isSymbolicLink(local)) {
                    throw new CliException(local + " is a symbolic link; links are not followed, copy what it points to");
                } else if (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
                    upload(sbx, local, dst.path(), err());
                } else if (Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(local)) {
                        sbx.files().write(dst.path(), in);
                    }
                } else {
                    throw new CliException(local + " is not a regular file or directory");
                }
            }
            return 0;
        }
    }

    /** Uploads a local tree; links are not followed (a link to /etc/shadow stays here). */
    private static void upload(Sandbox sbx, Path dir, String remote, java.io.PrintWriter notes) throws IOException {
        sbx.files().makeDir(remote);
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                String target = remote + "/" + p.getFileName();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    upload(sbx, p, target, notes);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        sbx.files().write(target, in);
                    }
                } else {
                    notes.println("airlock: skipped " + p + ": not a regular file or directory");
                }
            }
        }
    }

    /** {@code ID:/path}; null for a local path. */
    record Remote(String id, String path) {
        static Remote parse(String arg) {
            int colon = arg.indexOf(':');
            if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) {
                return null;
            }
            String path = arg.substring(colon + 1);
            if (!path.startsWith("/")) {
                throw new CliException("sandbox paths are absolute: " + arg.substring(0, colon) + ":/home/user/…", 2);
            }
            return new Remote(arg.substring(0, colon), path);
        }
    }
}
