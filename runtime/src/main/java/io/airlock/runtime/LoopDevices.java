package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.runtime.ContainerSyscalls.SyscallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices attached through the kernel's ioctls: {@code LOOP_CTL_GET_FREE} on
 * {@code /dev/loop-control}, then one {@code LOOP_CONFIGURE} that binds the backing file and sets
 * {@code LO_FLAGS_AUTOCLEAR}, so the device frees itself when its last user (the mount) goes away.
 *
 * <p>Two threads (or two servers) can be handed the same free device; the loser's
 * {@code LOOP_CONFIGURE} fails with {@code EBUSY} and it asks for another.
 */
final class LoopDevices {
    private static final Path CONTROL = Path.of("/dev/loop-control");
    private static final Path SYS_BLOCK = Path.of("/sys/block");

    private static final long LOOP_CLR_FD = 0x4C01;
    private static final long LOOP_CONFIGURE = 0x4C0A;
    private static final long LOOP_CTL_GET_FREE = 0x4C82;
    private static final int LO_FLAGS_AUTOCLEAR = 4;

    // struct loop_config { u32 fd; u32 block_size; struct loop_info64 info; u64 reserved[8]; }
    private static final long CONFIG_SIZE = 304;
    private static final long CONFIG_FD = 0;
    private static final long CONFIG_BLOCK_SIZE = 4;
    private static final long CONFIG_FLAGS = 8 + 52; // info.lo_flags
    private static final long CONFIG_FILE_NAME = 8 + 56; // info.lo_file_name[64]
    private static final int FILE_NAME_MAX = 64;
    private static final int ATTEMPTS = 16;

    private LoopDevices() {}

    /**
     * An attached loop device, held open by this object. Closing it drops our reference: once nothing
     * else (a mount) holds the device, the kernel detaches it (autoclear).
     */
    record Attached(int number, int fd) implements AutoCloseable {
        Path device() {
            return Path.of("/dev/loop" + number);
        }

        @Override
        public void close() {
            ContainerSyscalls.close(fd);
        }
    }

    /**
     * Attaches {@code image} to a free loop device with autoclear and a 4 KiB logical block size.
     *
     * @throws RuntimeFailureException if no device could be attached
     */
    static Attached attach(Path image) {
        int control = ContainerSyscalls.open(CONTROL, ContainerSyscalls.O_RDWR | ContainerSyscalls.O_CLOEXEC);
        int backing = -1;
        try {
            backing = ContainerSyscalls.open(image, ContainerSyscalls.O_RDWR | ContainerSyscalls.O_CLOEXEC);
            SyscallException last = null;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int number = ContainerSyscalls.ioctl(control, LOOP_CTL_GET_FREE, 0, "/dev/loop-control, LOOP_CTL_GET_FREE");
                Path device = Path.of("/dev/loop" + number);
                int fd;
                try {
                    fd = ContainerSyscalls.open(device, ContainerSyscalls.O_RDWR | ContainerSyscalls.O_CLOEXEC);
                } catch (SyscallException e) {
                    last = e;
                    continue;
                }
                try {
                    configure(fd, backing, image, device);
                    return new Attached(number, fd);
                } catch (SyscallException e) {
                    ContainerSyscalls.close(fd);
                    if (e.errno() != ContainerSyscalls.EBUSY) {
                        throw e;
                    }
                    last = e; // another attacher won this device; ask for the next free one
                }
            }
            throw new RuntimeFailureException("no free loop device for " + image + " after " + ATTEMPTS + " attempts", last);
        } finally {
            if (backing >= 0) {
                ContainerSyscalls.close(backing); // the loop device holds its own reference
            }
            ContainerSyscalls.close(control);
        }
    }

    private static void configure(int fd, int backing, Path image, Path device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(CONFIG_SIZE, 8);
            config.set(ValueLayout.JAVA_INT, CONFIG_FD, backing);
            config.set(ValueLayout.JAVA_INT, CONFIG_BLOCK_SIZE, 4096);
            config.set(ValueLayout.JAVA_INT, CONFIG_FLAGS, LO_FLAGS_AUTOCLEAR);
            byte[] name = image.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(name, 0, config, ValueLayout.JAVA_BYTE, CONFIG_FILE_NAME, Math.min(name.length, FILE_NAME_MAX - 1));
            ContainerSyscalls.ioctl(fd, LOOP_CONFIGURE, config, device + ", LOOP_CONFIGURE " + image);
        }
    }

    /**
     * Detaches {@code device} if it is still bound ({@code LOOP_CLR_FD}); a device already free
     * counts as detached.
     */
    static void detach(Path device) {
        int fd;
        try {
            fd = ContainerSyscalls.open(device, ContainerSyscalls.O_RDONLY | ContainerSyscalls.O_CLOEXEC);
        } catch (SyscallException e) {
            if (e.errno() == ContainerSyscalls.ENOENT || e.errno() == ContainerSyscalls.ENXIO) {
                return;
            }
            throw e;
        }
        try {
            ContainerSyscalls.ioctl(fd, LOOP_CLR_FD, 0, device + ", LOOP_CLR_FD");
        } catch (SyscallException e) {
            if (e.errno() != ContainerSyscalls.ENXIO) {
                throw e;
            }
        } finally {
            ContainerSyscalls.close(fd);
        }
    }

    /** A bound loop device and the file behind it, as {@code /sys/block/loopN/loop/backing_file} says. */
    record Binding(Path device, Path backingFile) {}

    /** Loop devices whose backing file lies at or below {@code dir}. */
    static List<Binding> backedBy(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Binding> found = new ArrayList<>();
        try (DirectoryStream<Path> blocks = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            for (Path block : blocks) {
                String backing;
                try {
                    backing = Files.readString(block.resolve("loop/backing_file")).strip();
                } catch (NoSuchFileException e) {
                    continue; // not bound
                } catch (IOException e) {
                    // ENODEV: the device is being detached right now (another sandbox's teardown);
                    // it is no longer bound to anything a sweep would have to release
                    continue;
                }
                // the kernel appends " (deleted)" when the backing file was unlinked
                if (backing.endsWith(" (deleted)")) {
                    backing = backing.substring(0, backing.length() - " (deleted)".length());
                }
                if (Path.of(backing).startsWith(base)) {
                    found.add(new Binding(Path.of("/dev").resolve(block.getFileName()), Path.of(backing)));
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot list loop devices in " + SYS_BLOCK + ": " + e.getMessage(), e);
        }
        return found;
    }
}
