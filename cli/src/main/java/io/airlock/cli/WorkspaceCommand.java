package io.airlock.cli;

import io.airlock.sdk.WorkspaceChange;
import io.airlock.sdk.WorkspaceCommit;
import io.airlock.sdk.WorkspaceInfo;
import io.airlock.sdk.WorkspaceVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code airlock workspace create|list|show|rm|versions|diff|restore|download|upload}, over {@code /v1/workspaces}. */
@Command(name = "workspace", aliases = "ws", description = "Manage workspaces: versioned file trees that outlive sandboxes.",
        subcommands = {WorkspaceCommand.Create.class, WorkspaceCommand.Ls.class, WorkspaceCommand.Show.class, WorkspaceCommand.Rm.class,
            WorkspaceCommand.Versions.class, WorkspaceCommand.Diff.class, WorkspaceCommand.Restore.class,
            WorkspaceCommand.Download.class, WorkspaceCommand.Upload.class})
final class WorkspaceCommand {
    private WorkspaceCommand() {}

    static String info(WorkspaceInfo w) {
        return String.format("%-24s v%-5d %6d files %12d bytes  created %s", w.name(), w.head(), w.files(), w.bytes(), w.createdAt());
    }

    static String change(WorkspaceChange c) {
        char k = switch (c.kind()) {
            case "added" -> 'A';
            case "deleted" -> 'D';
            default -> 'M';
        };
        return k + " " + c.path() + (c.type().equals("dir") ? "/" : c.type().equals("link") ? " (link)" : " (" + c.size() + " B)");
    }

    abstract static class Committing extends CliCommand {
        Integer report(WorkspaceCommit c) {
            if (json()) {
                printJson(c);
            } else if (c.version() == null) {
                out().println("unchanged");
            } else {
                out().printf("%s: version %d%s%n", c.outcome(), c.version().number(),
                        c.conflicts().isEmpty() ? "" : "; conflicts, kept beside the head: " + c.conflicts());
            }
            return 0;
        }
    }

    @Command(name = "create", description = "Create an empty workspace.")
    static final class Create extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            WorkspaceInfo w = client().workspaces().create(name);
            return print(w, () -> out().println("created workspace " + w.name()));
        }
    }

    @Command(name = "list", aliases = "ls", description = "List your workspaces.")
    static final class Ls extends CliCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            List<WorkspaceInfo> all = client().workspaces().list();
            return print(all, () -> all.forEach(w -> out().println(info(w))));
        }
    }

    @Command(name = "show", description = "Show a workspace.")
    static final class Show extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            WorkspaceInfo w = client().workspaces().get(name);
            return print(w, () -> out().println(info(w)));
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Delete a workspace with every version.")
    static final class Rm extends CliCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            client().workspaces().delete(name);
            out().println("deleted workspace " + name);
            return 0;
        }
    }

    @Command(name = "versions", description = "List a workspace's versions, newest first; with N, one version and its changes.")
    static final class Versions extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "N", arity = "0..1")
        Integer number;

        @Override
        public Integer call() {
            if (number != null) {
                WorkspaceVersion v = client().workspaces().version(name, number);
                return print(v, () -> {
                    out().println(line(v));
                    v.changes().forEach(c -> out().println("  " + change(c)));
                });
            }
            List<WorkspaceVersion> all = client().workspaces().versions(name);
            return print(all, () -> all.forEach(v -> out().println(line(v))));
        }

        private static String line(WorkspaceVersion v) {
            return String.format("v%-5d parent v%-5d %s %-24s %6d files %12d bytes%s", v.number(), v.parent(), v.createdAt(), v.origin(),
                    v.files(), v.bytes(), v.conflict() ? "  CONFLICT " + v.conflicts() : "");
        }
    }

    @Command(name = "diff", description = "What changed between two versions (0 is the empty tree).")
    static final class Diff extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "FROM")
        int from;

        @Parameters(index = "2", paramLabel = "TO")
        int to;

        @Override
        public Integer call() {
            List<WorkspaceChange> changes = client().workspaces().diff(name, from, to);
            return print(changes, () -> changes.forEach(c -> out().println(change(c))));
        }
    }

    @Command(name = "restore", description = "Make version N the head again (as a new version).")
    static final class Restore extends Committing implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "N")
        int number;

        @Override
        public Integer call() {
            return report(client().workspaces().restore(name, number));
        }
    }

    @Command(name = "download", description = "Download a version (default: the head) as a .tar.gz file.")
    static final class Download extends CliCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", arity = "0..1", description = "default: NAME.tar.gz")
        Path file;

        @Option(names = "--version", paramLabel = "N", description = "the version (default: the head)")
        int version;

        @Override
        public Integer call() {
            Path target = file != null ? file : Path.of(name + ".tar.gz");
            client().workspaces().download(name, version, target);
            out().println("wrote " + target);
            return 0;
        }
    }

    @Command(name = "upload", description = "Replace the head with an archive's tree (tar, tar.gz or zip) as a new version.")
    static final class Upload extends Committing implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ARCHIVE")
        Path archive;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(archive)) {
                throw new CliException(archive + " is not a file; give a tar, tar.gz or zip archive", 2);
            }
            return report(client().workspaces().upload(name, archive));
        }
    }
}
