package io.airlock.server.interpreter;

import io.airlock.core.SandboxService;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The code contexts of one sandbox. The default context of a language (python and javascript
 * from the start, others on first use) is what an execution naming only a language runs in.
 * Kernel files are copied into the sandbox once, before its first kernel starts.
 */
final class SandboxContexts {
    /** Contexts one sandbox may have; each is a kernel process, a reader thread and its line buffer. */
    static final int MAX_CONTEXTS = 16;
    static final String HOME = "/home/user";

    private final String sandboxId;
    private final SandboxService sandboxes;
    private final Map<String, CodeContext> byId = new LinkedHashMap<>(); // guarded by this
    private final Map<Language, CodeContext> defaults = new EnumMap<>(Language.class); // guarded by this
    private final Object installLock = new Object();
    private boolean kernelsInstalled; // guarded by installLock

    SandboxContexts(String sandboxId, SandboxService sandboxes) {
        this.sandboxId = sandboxId;
        this.sandboxes = sandboxes;
        for (Language l : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
            if (l.available()) {
                defaults.put(l, add(l, HOME));
            }
        }
    }

    synchronized List<CodeContext> list() {
        return new ArrayList<>(byId.values());
    }

    synchronized Optional<CodeContext> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The default context of a language, created if it does not exist (or was removed). */
    synchronized CodeContext defaultFor(Language language) {
        CodeContext c = defaults.get(language);
        if (c == null || !byId.containsKey(c.id)) {
            c = add(language, HOME);
            defaults.put(language, c);
        }
        return c;
    }

    /**
     * A new context. Default contexts do not count toward {@link #MAX_CONTEXTS}, so filling the
     * sandbox with contexts never stops {@code runCode} without a context.
     *
     * @throws InterpreterException 429 when the sandbox has {@link #MAX_CONTEXTS} others already
     */
    synchronized CodeContext create(Language language, String cwd) {
        long created = byId.values().stream().filter(c -> !defaults.containsValue(c)).count();
        if (created >= MAX_CONTEXTS) {
            throw new InterpreterException(429, "this sandbox has " + created + " code contexts besides the defaults,"
                    + " the most it may have; remove one (removeCodeContext) before creating another");
        }
        return add(language, cwd);
    }

    synchronized Optional<CodeContext> remove(String id) {
        return Optional.ofNullable(byId.remove(id));
    }

    /**
     * Starts a context's kernel, copying the kernel files into the sandbox first if this is its
     * first kernel (not under this monitor: it is agent I/O).
     */
    private Kernel start(CodeContext c) {
        synchronized (installLock) {
            if (!kernelsInstalled) {
                KernelFiles.install(sandboxes, sandboxId);
                kernelsInstalled = true;
            }
        }
        return Kernel.start(sandboxes, sandboxId, c.language, c.cwd, Map.of(), "ctx-" + c.id);
    }

    /** Stops every kernel for good (the sandbox is going away). */
    void close(String why) {
        for (CodeContext c : list()) {
            c.remove(why);
        }
    }

    private CodeContext add(Language language, String cwd) {
        CodeContext c = new CodeContext(UUID.randomUUID().toString(), language, cwd, this::start);
        byId.put(c.id, c);
        return c;
    }
}
