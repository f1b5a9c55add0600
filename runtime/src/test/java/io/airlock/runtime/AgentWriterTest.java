package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AgentWriter} over a real FIFO ({@link AgentFifo}): callers write small frames themselves
 * while the pipe has room, and frames larger than the pipe, or behind a full one, go through the
 * writer's thread; either way every frame arrives whole and each writer's frames in order.
 */
class AgentWriterTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A FIFO with a reader at {@code reader}, and its writing end. */
    private record Fifo(InputStream reader, AgentFifo writer) {}

    private Fifo fifo() throws IOException {
        Path path = dir.resolve("to-agent");
        ContainerSyscalls.mkfifo(path, 0600);
        // As ContainerHost does: holding both ends lets the single-direction opens proceed.
        try (FileChannel rdwr = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            InputStream reader = new FileInputStream(path.toFile());
            open.add(reader);
            AgentFifo writer = AgentFifo.open(path);
            open.add(writer);
            return new Fifo(reader, writer);
        }
    }

    @Test
    void write_pipeWithRoom_isWrittenByTheCaller() throws Exception {
        Fifo fifo = fifo();
        AgentWriter writer = new AgentWriter("test-writer", fifo.writer(), e -> {});
        try {
            CompletableFuture<Void> done = writer.write(new byte[] {1, 2, 3});
            // done on return: no hand-off to the writer's thread happened
            assertThat(done).isCompleted();
            assertThat(fifo.reader().readNBytes(3)).containsExactly(1, 2, 3);
        } finally {
            writer.stop();
        }
    }

    @Test
    void write_manyWritersSlowReaderAndFramesLargerThanThePipe_everyFrameWholeAndInOrder() throws Exception {
        Fifo fifo = fifo();
        AgentWriter writer = new AgentWriter("test-writer", fifo.writer(), e -> {});
        int writers = 4;
        int framesEach = 60;
        List<String> problems = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> readFrames(fifo.reader(), writers, framesEach, problems));
        try {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofVirtual().start(() -> {
                    List<CompletableFuture<Void>> pending = new ArrayList<>();
                    for (int seq = 0; seq < framesEach; seq++) {
                        // mostly small frames; every tenth is larger than a pipe's 64 KiB buffer
                        int size = seq % 10 == 9 ? 200_000 : 16 + (seq * 37) % 3000;
                        pending.add(writer.write(frame(id, seq, size)));
                    }
                    pending.forEach(CompletableFuture::join);
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            reader.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(reader.isAlive()).as("the reader got every frame").isFalse();
            assertThat(problems).isEmpty();
            for (Thread t : threads) {
                assertThat(t.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))).isTrue();
            }
        } finally {
            writer.stop();
        }
    }

    @Test
    void write_readerGone_failsAndReportsOnce_laterWritesFailAtOnce() throws Exception {
        Fifo fifo = fifo();
        List<IOException> reports = new CopyOnWriteArrayList<>();
        AgentWriter writer = new AgentWriter("test-writer", fifo.writer(), reports::add);
        try {
            fifo.reader().close();
            // EPIPE (the JVM ignores SIGPIPE), not a hang and not a dead test JVM
            assertThatThrownBy(() -> writer.write(new byte[] {1}).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IOException.class);
            assertThat(reports).isNotEmpty();
            assertThat(writer.write(new byte[] {2})).isCompletedExceptionally();
            assertThat(reports).hasSize(1);
        } finally {
            writer.stop();
        }
    }

    @Test
    void write_afterStop_failsAtOnce() throws Exception {
        Fifo fifo = fifo();
        AgentWriter writer = new AgentWriter("test-writer", fifo.writer(), e -> {});
        writer.stop();
        assertThat(writer.write(new byte[] {1})).isCompletedExceptionally();
    }

    /** {@code [writer u8][seq u32][size u32][size bytes of (writer + seq + i)]}. */
    private static byte[] frame(int writer, int seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(9 + size);
        b.put((byte) writer).putInt(seq).putInt(size);
        for (int i = 0; i < size; i++) {
            b.put((byte) (writer + seq + i));
        }
        return b.array();
    }

    private static void readFrames(InputStream in, int writers, int framesEach, List<String> problems) {
        DataInputStream data = new DataInputStream(in);
        int[] next = new int[writers];
        try {
            for (int n = 0; n < writers * framesEach; n++) {
                if (n % 7 == 0) {
                    Thread.sleep(2); // a slow reader fills the pipe, so some writes must wait
                }
                int w = data.readUnsignedByte();
                int seq = data.readInt();
                int size = data.readInt();
                if (w >= writers || seq != next[w]) {
                    problems.add("frame " + n + ": writer " + w + " seq " + seq + ", expected seq " + (w < writers ? next[w] : "?"));
                    return;
                }
                next[w]++;
                byte[] payload = data.readNBytes(size);
                for (int i = 0; i < size; i++) {
                    if (payload[i] != (byte) (w + seq + i)) {
                        problems.add("frame " + n + " (writer " + w + " seq " + seq + ") is torn at byte " + i);
                        return;
                    }
                }
            }
        } catch (EOFException e) {
            problems.add("the pipe ended early");
        } catch (IOException | InterruptedException e) {
            problems.add(e.toString());
        }
    }
}
