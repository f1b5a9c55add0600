package io.airlock.runtime;

import io.airlock.core.TemplateBuildException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The two file operations the template cache's crash safety rests on: atomic replace and safe delete. */
final class TemplateFiles {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private TemplateFiles() {}

    /**
     * Replaces {@code target} with {@code content} (mode 0644) so that a reader or a crash sees either
     * the old file or the whole new one: write and fsync a temporary sibling, then rename it over.
     */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Deletes {@code dir} and everything in it, without following symbolic links. Does nothing if
     * it does not exist; deletes only the link if it is a symbolic link.
     *
     * @throws TemplateBuildException if a filesystem is mounted inside {@code dir}: deleting through
     *     a bind mount of the host's {@code /dev} or {@code /sys} would delete host files
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(dir)) {
            Files.delete(dir);
            return;
        }
        List<String> mounts = mountsUnder(dir.toRealPath());
        if (!mounts.isEmpty()) {
            throw new TemplateBuildException("refusing to delete " + dir + ": " + mounts.size()
                    + " filesystem(s) are mounted inside it, e.g. " + mounts.getFirst() + "; unmount them first");
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes everything inside {@code dir}, keeping {@code dir} itself. */
    static void deleteChildren(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                deleteTree(child);
            }
        }
    }

    /** Mount points strictly inside {@code dir}, from this process's mount table. */
    static List<String> mountsUnder(Path dir) throws IOException {
        return Files.readAllLines(MOUNTINFO).stream()
                .map(line -> unescape(line.split(" ")[4]))
                .filter(mountPoint -> {
                    Path p = Path.of(mountPoint);
                    return p.startsWith(dir) && !p.equals(dir);
                })
                .toList();
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes such as {@code \040}. */
    private static String unescape(String field) {
        Matcher m = OCTAL_ESCAPE.matcher(field);
        return m.replaceAll(r -> Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(r.group(1), 8))));
    }
}
