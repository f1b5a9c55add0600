package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-sandbox ext4 disk images, made fast by copying a formatted golden image.
 *
 * <p>For each disk size there is one golden image, {@code <dir>/golden-<bytes>.img}: a sparse file
 * holding an empty ext4 file system (no journal, lazily initialised inode tables, no reserved
 * blocks) whose root already contains the overlay's {@code upper} and {@code work} directories.
 * It is made once with {@code mkfs.ext4} and renamed into place, so it is either complete or absent.
 *
 * <p>A sandbox's image is a sparse copy. The golden image is read once per process with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}, and its non-zero 4 KiB blocks (a few hundred KiB even for
 * gigabytes of disk) are kept in memory; a copy is then a {@code ftruncate} to the full size plus
 * a handful of positional writes, well under a millisecond, where {@code cp --sparse=always} costs a
 * fork and exec. ({@code FileChannel.transferTo} would not do: it copies holes as written zeros.)
 *
 * <p>Thread-safe.
 */
final class DiskImages {
    private static final int BLOCK = 4096;
    private static final long BYTES_PER_INODE = 8192;
    private static final long MIN_INODES = 4096;

    private final Path dir;
    private final ConcurrentHashMap<Long, List<Extent>> golden = new ConcurrentHashMap<>();

    /** One run of non-zero bytes of a golden image. */
    private record Extent(long offset, byte[] bytes) {}

    /** @param dir where golden images live, e.g. {@code $AIRLOCK_HOME/disks} */
    DiskImages(Path dir) {
        this.dir = dir;
    }

    /** The size actually used for a requested disk size: rounded up to whole 4 KiB blocks. */
    static long roundedSize(long bytes) {
        return (bytes + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** Where the golden image for {@code bytes} lives (whether or not it exists yet). */
    Path goldenPath(long bytes) {
        return dir.resolve("golden-" + roundedSize(bytes) + ".img");
    }

    /**
     * Creates {@code target} (mode 0600, must not exist) as a sparse copy of the golden image for
     * {@code bytes}, making the golden image first if needed.
     *
     * @throws RuntimeFailureException if the golden image cannot be made or the copy fails
     */
    void create(Path target, long bytes) {
        long size = roundedSize(bytes);
        List<Extent> extents = golden.computeIfAbsent(size, this::load);
        try {
            Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
                file.setLength(size);
                FileChannel channel = file.getChannel();
                for (Extent e : extents) {
                    ByteBuffer buffer = ByteBuffer.wrap(e.bytes());
                    long position = e.offset();
                    while (buffer.hasRemaining()) {
                        position += channel.write(buffer, position);
                    }
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot create disk image " + target + " of " + size + " bytes: " + e, e);
        }
    }

    private List<Extent> load(long size) {
        Path image = goldenPath(size);
        if (!Files.exists(image)) {
            format(size, image);
        }
        return readNonZero(image);
    }

    /** Runs mkfs.ext4 into a temporary file and renames it into place. */
    private void format(long size, Path image) {
        String unique = UUID.randomUUID().toString();
        Path tmp = dir.resolve(image.getFileName() + ".tmp-" + unique);
        Path skeleton = dir.resolve("skeleton-" + unique);
        try {
            Files.createDirectories(dir);
            Files.createDirectories(skeleton.resolve("upper"));
            Files.createDirectories(skeleton.resolve("work"));
            try (RandomAccessFile file = new RandomAccessFile(tmp.toFile(), "rw")) {
                file.setLength(size);
            }
            long inodes = Math.max(MIN_INODES, size / BYTES_PER_INODE);
            List<String> command = List.of(
                    "mkfs.ext4", "-F", "-q", "-b", String.valueOf(BLOCK), "-m", "0", "-N", String.valueOf(inodes),
                    "-O", "^has_journal,^resize_inode",
                    "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard,root_owner=0:0",
                    "-d", skeleton.toString(), tmp.toString());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new RuntimeFailureException("'" + String.join(" ", command) + "' failed with exit code "
                        + (p.isAlive() ? "none (timed out)" : p.exitValue()) + ": " + output.strip());
            }
            Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot make golden disk image " + image + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while making golden disk image " + image, e);
        } finally {
            deleteQuietly(tmp);
            deleteQuietly(skeleton.resolve("upper"));
            deleteQuietly(skeleton.resolve("work"));
            deleteQuietly(skeleton);
        }
    }

    /** The image's non-zero 4 KiB blocks, found by walking its data extents with SEEK_DATA/SEEK_HOLE. */
    private static List<Extent> readNonZero(Path image) {
        List<Extent> extents = new ArrayList<>();
        int fd = ContainerSyscalls.open(image, ContainerSyscalls.O_RDONLY | ContainerSyscalls.O_CLOEXEC);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            while (position < size) {
                long data = ContainerSyscalls.lseek(fd, position, ContainerSyscalls.SEEK_DATA);
                if (data < 0) {
                    break;
                }
                long hole = ContainerSyscalls.lseek(fd, data, ContainerSyscalls.SEEK_HOLE);
                readRange(channel, data, hole < 0 ? size : hole, extents);
                position = hole < 0 ? size : hole;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden disk image " + image, e);
        } finally {
            ContainerSyscalls.close(fd);
        }
        return List.copyOf(extents);
    }

    private static void readRange(FileChannel channel, long from, long to, List<Extent> extents) throws IOException {
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        long runStart = -1;
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        for (long offset = from; offset < to; offset += BLOCK) {
            block.clear().limit((int) Math.min(BLOCK, to - offset));
            while (block.hasRemaining() && channel.read(block, offset + block.position()) > 0) {
                // keep reading until the block is full
            }
            if (isZero(block.array(), block.position())) {
                if (runStart >= 0) {
                    extents.add(new Extent(runStart, run.toByteArray()));
                    run.reset();
                    runStart = -1;
                }
            } else {
                if (runStart < 0) {
                    runStart = offset;
                }
                run.write(block.array(), 0, block.position());
            }
        }
        if (runStart >= 0) {
            extents.add(new Extent(runStart, run.toByteArray()));
        }
    }

    private static boolean isZero(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of golden data a copy for {@code bytes} writes; for tests and diagnostics. */
    long goldenDataBytes(long bytes) {
        return golden.computeIfAbsent(roundedSize(bytes), this::load).stream().mapToLong(e -> e.bytes().length).sum();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover temporary file in the disks directory is harmless
        }
    }
}
