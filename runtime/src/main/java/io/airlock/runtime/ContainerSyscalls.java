package io.airlock.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.airlock.core.RuntimeFailureException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The few Linux system calls the container layer makes directly, through the FFM API
 * ({@code java.lang.foreign}) instead of forking {@code mount}, {@code umount}, {@code losetup} or
 * {@code kill}: a fork-exec of a helper costs milliseconds, a downcall microseconds, and sandbox
 * creation latency matters.
 *
 * <p>Every call captures {@code errno} and fails with {@link SyscallException}, whose message names
 * the call, its arguments and the error. Callers that tolerate a particular error (an already
 * unmounted path, an already dead process) test {@link SyscallException#errno()}.
 *
 * <p>The JVM must run with {@code --enable-native-access=ALL-UNNAMED} (or the module's name) to call
 * these without a warning.
 */
@SuppressWarnings("restricted") // the point of this class: downcalls into libc, enabled by --enable-native-access
final class ContainerSyscalls {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int ENXIO = 6;
    static final int EBUSY = 16;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_DIRECTORY = 0x10000;

    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;

    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_NOATIME = 1024;

    static final int MNT_DETACH = 2;
    static final int UMOUNT_NOFOLLOW = 8;

    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    static final int SIGKILL = 9;

    static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle IOCTL_LONG = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle IOCTL_PTR = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle MOUNT =
            downcall("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), -1);
    private static final MethodHandle UMOUNT2 = downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle MKFIFO = downcall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle FLOCK = downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle KILL = downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle LSEEK = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle GETSOCKOPT =
            downcall("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), -1);
    private static final MethodHandle STRERROR =
            LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private ContainerSyscalls() {}

    /** A failed system call: which call, on what, and the {@code errno} it returned. */
    static final class SyscallException extends RuntimeFailureException {
        private final int errno;

        SyscallException(String call, int errno) {
            super(call + " failed: " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    /** {@code open(2)}; returns the file descriptor. */
    static int open(Path path, int flags) {
        return call((arena, state) -> check(
                (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags, 0),
                state,
                () -> "open(" + path + ", 0x" + Integer.toHexString(flags) + ")"));
    }

    /** {@code close(2)}; errors are ignored, as after close the descriptor is gone either way. */
    static void close(int fd) {
        call((arena, state) -> (int) CLOSE.invokeExact(state, fd));
    }

    /**
     * {@code write(2)} of {@code bytes[off, off+len)} to a descriptor opened {@code O_NONBLOCK}:
     * returns how many bytes went in, 0 when none could ({@code EAGAIN}). Retries {@code EINTR}.
     *
     * @throws SyscallException on any other error, such as {@code EPIPE} once the reader is gone
     */
    static int writeNonBlocking(int fd, byte[] bytes, int off, int len) {
        return call((arena, state) -> {
            MemorySegment buf = arena.allocate(len);
            MemorySegment.copy(bytes, off, buf, JAVA_BYTE, 0, len);
            while (true) {
                long n = (long) WRITE.invokeExact(state, fd, buf, (long) len);
                if (n >= 0) {
                    return (int) n;
                }
                int errno = errno(state);
                if (errno == EAGAIN) {
                    return 0;
                }
                if (errno != EINTR) {
                    throw new SyscallException("write(fd " + fd + ", " + len + " bytes)", errno);
                }
            }
        });
    }

    /** {@code ioctl(2)} with an integer argument; returns the call's non-negative result. */
    static int ioctl(int fd, long request, long arg, String what) {
        return call((arena, state) -> check((int) IOCTL_LONG.invokeExact(state, fd, request, arg), state, () -> "ioctl(" + what + ")"));
    }

    /** {@code ioctl(2)} with a pointer argument; returns the call's non-negative result. */
    static int ioctl(int fd, long request, MemorySegment arg, String what) {
        return call((arena, state) -> check((int) IOCTL_PTR.invokeExact(state, fd, request, arg), state, () -> "ioctl(" + what + ")"));
    }

    /** {@code mount(2)}. */
    static void mount(String source, Path target, String type, long flags, String data) {
        call((arena, state) -> check(
                (int) MOUNT.invokeExact(
                        state,
                        arena.allocateFrom(source),
                        arena.allocateFrom(target.toString()),
                        arena.allocateFrom(type),
                        flags,
                        arena.allocateFrom(data)),
                state,
                () -> "mount(" + source + " on " + target + " type " + type + " flags 0x" + Long.toHexString(flags) + " data '" + data + "')"));
    }

    /** {@code umount2(2)}. */
    static void umount2(Path target, int flags) {
        call((arena, state) -> check(
                (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), flags),
                state,
                () -> "umount2(" + target + ", " + flags + ")"));
    }

    /** {@code mkfifo(3)} with the given permission bits. */
    static void mkfifo(Path path, int mode) {
        call((arena, state) -> check(
                (int) MKFIFO.invokeExact(state, arena.allocateFrom(path.toString()), mode), state, () -> "mkfifo(" + path + ")"));
    }

    /** {@code flock(2)}; returns 0, or the errno (e.g. {@link #EAGAIN} for a {@link #LOCK_NB} lock held elsewhere). Retries {@code EINTR}. */
    static int flock(int fd, int operation) {
        return call((arena, state) -> {
            while (true) {
                if ((int) FLOCK.invokeExact(state, fd, operation) == 0) {
                    return 0;
                }
                if (errno(state) != EINTR) {
                    return errno(state);
                }
            }
        });
    }

    /** {@code kill(2)}; returns 0, or the errno (e.g. {@link #ESRCH} for a process already gone). */
    static int kill(int pid, int signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing kill(" + pid + ", " + signal + "): not a single process");
        }
        return call((arena, state) -> (int) KILL.invokeExact(state, pid, signal) == 0 ? 0 : errno(state));
    }

    /** {@code lseek(2)}; returns the new offset, or -1 when {@code errno} is {@link #ENXIO} (no more data). */
    static long lseek(int fd, long offset, int whence) {
        return call((arena, state) -> {
            long r = (long) LSEEK.invokeExact(state, fd, offset, whence);
            if (r >= 0 || errno(state) == ENXIO) {
                return r < 0 ? -1L : r;
            }
            throw new SyscallException("lseek(" + fd + ", " + offset + ", " + whence + ")", errno(state));
        });
    }

    /** {@code setns(2)}: moves the calling thread (only) into the namespace {@code fd} refers to. */
    static void setns(int fd, int nstype) {
        call((arena, state) -> check((int) SETNS.invokeExact(state, fd, nstype), state, () -> "setns(" + fd + ", 0x" + Integer.toHexString(nstype) + ")"));
    }

    /** {@code getsockopt(2)} into a buffer of {@code size} bytes; returns the bytes the kernel wrote. */
    static byte[] getsockopt(int fd, int level, int option, int size) {
        return call((arena, state) -> {
            MemorySegment value = arena.allocate(size);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, size);
            check((int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length), state,
                    () -> "getsockopt(" + fd + ", " + level + ", " + option + ")");
            return value.asSlice(0, Math.min(size, length.get(JAVA_INT, 0))).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        });
    }

    /** The C library's description of an {@code errno} value. */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int check(int result, MemorySegment state, Supplier<String> call) {
        if (result < 0) {
            throw new SyscallException(call.get(), errno(state));
        }
        return result;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** One downcall with a confined arena for its arguments and a segment for the captured errno. */
    @FunctionalInterface
    private interface NativeCall<T> {
        T call(Arena arena, MemorySegment state) throws Throwable;
    }

    private static <T> T call(NativeCall<T> call) {
        try (Arena arena = Arena.ofConfined()) {
            return call.call(arena, arena.allocate(CALL_STATE));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, int firstVariadic) {
        Linker.Option errno = Linker.Option.captureCallState("errno");
        var symbol = LINKER.defaultLookup().findOrThrow(name);
        return firstVariadic < 0
                ? LINKER.downcallHandle(symbol, descriptor, errno)
                : LINKER.downcallHandle(symbol, descriptor, Linker.Option.firstVariadicArg(firstVariadic), errno);
    }
}
