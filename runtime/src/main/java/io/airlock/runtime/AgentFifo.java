package io.airlock.runtime;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The host's writing end of a sandbox's {@code to-agent} FIFO, open twice: as a blocking stream,
 * for {@link AgentWriter}'s thread, and as a non-blocking descriptor, through which a caller
 * writes a frame itself while the pipe has room ({@link #tryWrite}). That spares a small call the
 * hand-off to the writer thread; a thread wake-up is a large part of a short call's latency.
 *
 * <p>The non-blocking descriptor is used and closed under this object's lock, so a write can never
 * reach a descriptor number that {@link #close()} has freed and the kernel handed out again.
 */
final class AgentFifo extends OutputStream {
    private final FileOutputStream blocking;
    private int nonBlocking;

    private AgentFifo(FileOutputStream blocking, int nonBlocking) {
        this.blocking = blocking;
        this.nonBlocking = nonBlocking;
    }

    /** Opens the FIFO's writing end both ways; it must already have a reader, or the open fails with {@code ENXIO}. */
    static AgentFifo open(Path fifo) throws IOException {
        int fd = ContainerSyscalls.open(fifo, ContainerSyscalls.O_WRONLY | ContainerSyscalls.O_NONBLOCK | ContainerSyscalls.O_CLOEXEC);
        try {
            return new AgentFifo(new FileOutputStream(fifo.toFile()), fd);
        } catch (IOException | RuntimeException e) {
            ContainerSyscalls.close(fd);
            throw e;
        }
    }

    /**
     * Writes what fits without blocking: how many of {@code bytes[off, off+len)} went in, 0 when the
     * pipe is full.
     *
     * @throws IOException once the agent has gone ({@code EPIPE}) or this end was closed
     */
    synchronized int tryWrite(byte[] bytes, int off, int len) throws IOException {
        if (nonBlocking < 0) {
            throw new IOException("the agent's input is closed");
        }
        try {
            return ContainerSyscalls.writeNonBlocking(nonBlocking, bytes, off, len);
        } catch (ContainerSyscalls.SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        blocking.write(b);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        blocking.write(bytes, off, len);
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (nonBlocking >= 0) {
                ContainerSyscalls.close(nonBlocking);
                nonBlocking = -1;
            }
        }
        blocking.close();
    }
}
