package io.airlock.server.interpreter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.AirlockException;
import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kernel process in a sandbox and the thread that reads it. The reader splits the kernel's
 * stdout into protocol lines and hands those of the running execution to it; lines of no running
 * execution are dropped. When the process ends, the running execution (if any) is told why.
 */
final class Kernel {
    private static final Logger log = LoggerFactory.getLogger(Kernel.class);
    private static final int STDERR_TAIL = 4096;
    private static final int QUEUE = 8;
    /** Lines longer than this are large: parsed only with permits from {@link #LARGE_LINE_BYTES}. */
    static final int LARGE_LINE = 64 << 10;
    /**
     * Bytes of large kernel lines the whole server holds at once (parsed, queued or being sent),
     * so the memory hostile kernels can claim is bounded however many sandboxes there are. Small
     * lines (stdout/stderr events, ordinary results) never wait for it; a kernel whose large line
     * must wait is held back, like one whose client reads slowly.
     */
    static final Semaphore LARGE_LINE_BYTES = new Semaphore(128 << 20);

    /** What the reader hands an execution. */
    sealed interface Event {
        /**
         * A protocol line of this execution, already parsed, holding {@code permits} of
         * {@link #LARGE_LINE_BYTES} until {@link Kernel#consumed} releases them.
         */
        record Line(ObjectNode event, int permits) implements Event {}

        /** The kernel process ended. */
        record Died(String name, String value) implements Event {}

        /** A line too long to keep was dropped. */
        record Dropped(long length) implements Event {}
    }

    /** One execute request in flight. */
    static final class Execution {
        final String id;
        final BlockingQueue<Event> events = new ArrayBlockingQueue<>(QUEUE);
        volatile boolean finished;

        Execution(String id) {
            this.id = id;
        }
    }

    private final SandboxProcess process;
    private final Language language;
    private final String sandboxId;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final Object lock = new Object();
    private @Nullable Execution current; // guarded by lock
    private Event.@Nullable Died death; // guarded by lock
    private @Nullable String closing; // guarded by lock: why the server is stopping it
    private final StringBuilder stderr = new StringBuilder(); // guarded by lock

    private Kernel(SandboxProcess process, Language language, String sandboxId) {
        this.process = process;
        this.language = language;
        this.sandboxId = sandboxId;
    }

    /**
     * Starts a kernel and its reader; {@link #awaitReady} tells when it can take requests.
     *
     * @throws AirlockException from the spawn (dead sandbox, missing program or directory)
     */
    static Kernel start(SandboxService sandboxes, String sandboxId, Language language, String cwd,
            Map<String, String> env, String tag) {
        SandboxProcess p = sandboxes.spawn(sandboxId, new ProcessSpec(language.command(), env, cwd, "user", true, null, tag));
        Kernel k = new Kernel(p, language, sandboxId);
        Thread.ofVirtual().name("kernel-" + sandboxId + "-" + tag).start(k::pump);
        return k;
    }

    Language language() {
        return language;
    }

    /**
     * Waits for the kernel's {@code ready} line.
     *
     * @throws InterpreterException 400 if it ended first (with what it printed to stderr), 503 on
     *     timeout (the kernel is killed)
     */
    void awaitReady(Duration timeout) throws InterruptedException {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (InterpreterException) e.getCause();
        } catch (TimeoutException e) {
            kill("it did not start in time");
            throw new InterpreterException(503, "the " + language.wireName() + " kernel did not become ready within "
                    + timeout.toSeconds() + " s (is the sandbox short of CPU or memory?); try again");
        }
    }

    /** Neither dead nor being stopped: a kernel can take an execution. */
    boolean alive() {
        synchronized (lock) {
            return death == null && closing == null;
        }
    }

    /** Gives back what a handled event held. */
    static void consumed(Event event) {
        if (event instanceof Event.Line line && line.permits() > 0) {
            LARGE_LINE_BYTES.release(line.permits());
        }
    }

    /** Registers an execution as the running one; if the kernel is dead it learns so at once. */
    Execution begin(String id) {
        Execution e = new Execution(id);
        synchronized (lock) {
            current = e;
            if (death != null) {
                e.events.offer(death);
            }
        }
        return e;
    }

    /** Sends a request line; a kernel that cannot take it is reported as dead to the execution. */
    void send(Execution e, ObjectNode request) {
        byte[] line = (request.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            process.writeStdin(line);
        } catch (AirlockException x) {
            log.atDebug().addKeyValue("sandbox", sandboxId).log("kernel refused input: {}", x.getMessage());
            e.events.offer(new Event.Died("KernelDied", "the " + language.wireName()
                    + " kernel is not running any more, so the code was not run; run it again to start a fresh kernel"));
        }
    }

    void finish(Execution e) {
        e.finished = true;
        synchronized (lock) {
            if (current == e) {
                current = null;
            }
        }
        releaseQueued(e);
    }

    /** Gives back what the events still queued for a finished execution held. */
    private static void releaseQueued(Execution e) {
        for (Event left; (left = e.events.poll()) != null; ) {
            consumed(left);
        }
    }

    /** SIGINT to the kernel's process group: interrupts the running code, not the kernel. */
    void interrupt() {
        try {
            process.signal(2);
        } catch (AirlockException e) {
            // already gone: the reader reports it
        }
    }

    /** Stops the kernel; a running execution is told {@code why}. */
    void kill(String why) {
        synchronized (lock) {
            if (death != null) {
                return;
            }
            closing = why;
        }
        try {
            process.signal(9);
        } catch (AirlockException e) {
            // already gone
        }
        try {
            process.closeStdin();
        } catch (AirlockException e) {
            // already gone
        }
    }

    private void pump() {
        LineSplitter splitter = new LineSplitter(E2bLines.MAX_LINE, new LineSplitter.Sink() {
            @Override
            public boolean wanted() {
                return running() != null || !ready.isDone(); // between executions, lines are skipped unbuffered
            }

            @Override
            public void line(byte[] line) {
                onLine(line);
            }

            @Override
            public void oversized(long length) {
                Execution e = running();
                if (e != null) {
                    deliver(e, new Event.Dropped(length));
                }
            }
        });
        boolean endSeen = false;
        try (ProcessOutput out = process.attach()) {
            while (true) {
                Optional<OutputChunk> next = out.next(Duration.ofSeconds(30));
                if (next.isEmpty()) {
                    continue;
                }
                OutputChunk c = next.get();
                switch (c.kind()) {
                    case STDOUT -> splitter.feed(c.data());
                    case STDERR -> keepStderr(c.data());
                    case PTY -> { }
                    case END -> {
                        endSeen = true;
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.atDebug().addKeyValue("sandbox", sandboxId).log("kernel output ended: {}", e.toString());
        } catch (Error e) {
            log.atWarn().addKeyValue("sandbox", sandboxId).log("kernel reader failed; stopping the kernel: {}", e.toString());
        } finally {
            // however the reader stops, the kernel must not outlive it: nobody would hear it
            if (!endSeen) {
                kill("its output could no longer be read");
            }
            ended();
        }
    }

    private void onLine(byte[] bytes) {
        Execution e = running();
        boolean ready = this.ready.isDone();
        if (e == null && ready) {
            return; // nobody to tell: not even parsed
        }
        int permits = bytes.length > LARGE_LINE ? bytes.length : 0;
        if (permits > 0 && (e == null || !acquire(e, permits))) {
            return;
        }
        JsonNode node;
        try {
            node = E2bLines.JSON.readTree(bytes);
        } catch (IOException | RuntimeException x) { // RuntimeException: a Jackson read constraint
            LARGE_LINE_BYTES.release(permits);
            log.atDebug().addKeyValue("sandbox", sandboxId).log("dropped a kernel line that is not acceptable JSON");
            return;
        }
        if (!(node instanceof ObjectNode event)) {
            LARGE_LINE_BYTES.release(permits);
            return;
        }
        String type = event.path("type").asText("");
        if (type.equals("ready")) {
            LARGE_LINE_BYTES.release(permits);
            this.ready.complete(event.path("version").asText(""));
            return;
        }
        if (e != null && e.id.equals(event.path("id").asText(null))) {
            deliver(e, new Event.Line(event, permits));
        } else {
            LARGE_LINE_BYTES.release(permits);
        }
    }

    /** Waits for large-line permits while the execution is still wanted. */
    private static boolean acquire(Execution e, int permits) {
        try {
            while (!e.finished) {
                if (LARGE_LINE_BYTES.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private @Nullable Execution running() {
        synchronized (lock) {
            return current;
        }
    }

    /** Queues an event unless the execution finished meanwhile (nobody would take it). */
    private static void deliver(Execution e, Event event) {
        boolean queued = false;
        try {
            while (!e.finished && !(queued = e.events.offer(event, 100, TimeUnit.MILLISECONDS))) {
                // the request thread is writing to a slow client: wait (this holds back the kernel)
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        }
        if (!queued) {
            consumed(event);
        } else if (e.finished) {
            releaseQueued(e); // finish() may have drained the queue before this offer
        }
    }

    private void keepStderr(byte[] data) {
        synchronized (lock) {
            stderr.append(new String(data, StandardCharsets.UTF_8));
            if (stderr.length() > STDERR_TAIL) {
                stderr.delete(0, stderr.length() - STDERR_TAIL);
            }
        }
    }

    private void ended() {
        ExitStatus status = null;
        try {
            status = process.exit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // unknown
        }
        Event.Died died;
        Execution e;
        String tail;
        String stoppedBecause;
        synchronized (lock) {
            died = describe(status, closing);
            death = died;
            e = current;
            tail = stderr.toString().strip();
            stoppedBecause = closing;
        }
        if (!ready.isDone() && stoppedBecause != null) {
            // stopped on purpose while starting (a restart, a removal): not a broken template
            ready.completeExceptionally(new InterpreterException(409, "the " + language.wireName()
                    + " kernel was stopped before it was ready (" + stoppedBecause + "); run the code again"));
        } else if (!ready.isDone()) {
            if (!tail.isEmpty()) {
                log.atInfo().addKeyValue("sandbox", sandboxId).addKeyValue("language", language.wireName())
                        .log("kernel failed to start: {}", tail);
            }
            ready.completeExceptionally(InterpreterException.badRequest("the " + language.wireName()
                    + " kernel could not start (" + died.value() + ")" + (tail.isEmpty() ? "" : ": " + lastLines(tail))
                    + ". Code contexts need the code-interpreter template; create the sandbox from template 'code-interpreter'"));
        }
        if (e != null) {
            deliver(e, died);
        }
    }

    private Event.Died describe(@Nullable ExitStatus status, @Nullable String why) {
        String lost = ". The context's state is lost; the next execution in it starts a fresh kernel";
        String k = "the " + language.wireName() + " kernel";
        if (why != null) {
            return new Event.Died("KernelDied", k + " was stopped: " + why + lost);
        }
        if (status == null) {
            return new Event.Died("KernelDied", k + " stopped for an unknown reason" + lost);
        }
        if (status.oomKilled()) {
            return new Event.Died("OutOfMemory", k + " was killed because the sandbox ran out of memory"
                    + " (its memory limit was reached)" + lost + "; restart the context, and use less memory or a larger sandbox");
        }
        if (status.signal() != 0) {
            return new Event.Died("KernelDied", k + " was killed by signal " + status.signal() + lost
                    + " (or restart the context)");
        }
        return new Event.Died("KernelDied", k + " exited with code " + status.exitCode() + lost + " (or restart the context)");
    }

    private static String lastLines(String text) {
        String t = text.length() > 600 ? "…" + text.substring(text.length() - 600) : text;
        return t.replace('\n', ' ');
    }
}
