package io.airlock.core.secrets;

import io.airlock.core.Sandbox;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which live sandbox got which secret values, for every front door: hands sandbox-wide values to
 * the service (they join the environment of every process, never {@link
 * SandboxService#environment}), resolves a command's own secrets, records each use in the audit,
 * masks what the sandbox sends back, and registers the values with {@link LogRedaction} until
 * the sandbox ends ({@link #ended}). Values live only in memory. Thread-safe.
 */
public final class SecretGrants {
    /**
     * The sandbox metadata key that names a sandbox's secrets, comma-separated, at creation
     * ({@code E2B POST /sandboxes}): how the E2B SDKs, which know nothing of Airlock, ask for them.
     */
    public static final String METADATA_KEY = "airlock.secrets";

    private final Vault vault;
    private final SandboxService sandboxes;
    private final Map<String, Granted> bySandbox = new ConcurrentHashMap<>();

    public SecretGrants(Vault vault, SandboxService sandboxes) {
        this.vault = vault;
        this.sandboxes = sandboxes;
    }

    /** What one sandbox got. Not a record: it holds values. */
    private static final class Granted {
        final List<SecretValues> registered = new ArrayList<>(); // guarded by this
        volatile SecretValues all = SecretValues.none();
        volatile boolean ended; // set (under this) once the sandbox is gone: nothing more is registered
    }

    /**
     * Decrypts a tenant's secrets named at sandbox creation, before anything is started, so an
     * unknown name fails the request with nothing to clean up.
     *
     * @throws io.airlock.core.InvalidRequestException ({@code field}) for an unknown or malformed name
     */
    public SecretValues resolve(String tenant, Collection<String> names, String field) {
        Vault.checkNames(field, names);
        return names.isEmpty() ? SecretValues.none() : vault.resolve(tenant, names, field);
    }

    /**
     * Creates a sandbox for {@code request}'s owner and gives it {@code values} (from {@link
     * #resolve}); if they cannot be given, the sandbox is killed again.
     *
     * @param actor who asked, {@code key:<api key id>}
     */
    public Sandbox create(SandboxRequest request, SecretValues values, String actor) {
        Sandbox s = sandboxes.create(request);
        try {
            created(s.id(), request.owner(), values, actor);
        } catch (RuntimeException e) {
            sandboxes.kill(s.id());
            throw e;
        }
        return s;
    }

    /**
     * Gives a just-created sandbox its sandbox-wide secrets (possibly none), and starts tracking
     * it so that commands may name more.
     *
     * @throws SandboxNotFoundException if the sandbox is gone already
     */
    private void created(String sandboxId, String tenant, SecretValues values, String actor) {
        Granted g = new Granted();
        bySandbox.put(sandboxId, g);
        try {
            if (!values.isEmpty()) {
                sandboxes.grantSecrets(sandboxId, values);
                add(g, values);
                vault.recordUses(tenant, values.names(), sandboxId, SecretUse.Scope.SANDBOX, actor);
            }
            sandboxes.get(sandboxId); // it may have ended before it was remembered
        } catch (SandboxNotFoundException e) {
            ended(sandboxId);
            throw e;
        }
    }

    /**
     * Decrypts a command's own secrets from the sandbox owner's vault and records the use. The
     * caller merges them into that command's environment only; the sandbox's output is masked
     * for them from now on.
     *
     * @param actor who asked, {@code key:<api key id>}
     * @throws io.airlock.core.InvalidRequestException ({@code field}) for an unknown or malformed name
     */
    public SecretValues forCommand(String sandboxId, String owner, Collection<String> names, String field, String actor) {
        if (names.isEmpty()) {
            return SecretValues.none();
        }
        Granted g = bySandbox.get(sandboxId);
        if (g == null) { // ended (or never created through a front door): nothing may pin values for it
            throw new SandboxNotFoundException(sandboxId);
        }
        SecretValues values = vault.resolve(owner, names, field);
        add(g, values);
        if (g.ended) { // ended while resolving: undo, so the values are not kept for a sandbox that is gone
            release(g);
            throw new SandboxNotFoundException(sandboxId);
        }
        vault.recordUses(owner, values.names(), sandboxId, SecretUse.Scope.COMMAND, actor);
        return values;
    }

    /** A fresh streaming masker over every value the sandbox got so far; one per output stream. */
    public OutputMasker masker(String sandboxId) {
        Granted g = bySandbox.get(sandboxId);
        return OutputMasker.over(g == null ? SecretValues.none() : g.all);
    }

    /** Whole {@code text} with every value the sandbox got masked. */
    public String mask(String sandboxId, String text) {
        Granted g = bySandbox.get(sandboxId);
        return g == null ? text : OutputMasker.mask(g.all, text);
    }

    /**
     * One whole JSON text (an NDJSON line) with every value the sandbox got masked, raw or as
     * a JSON string escapes it.
     */
    public String maskJson(String sandboxId, String json) {
        Granted g = bySandbox.get(sandboxId);
        if (g == null || g.all.isEmpty()) {
            return json;
        }
        List<byte[]> patterns = new ArrayList<>();
        for (String v : g.all.values()) {
            patterns.add(v.getBytes(StandardCharsets.UTF_8));
            patterns.add(LogRedaction.jsonEscaped(v, false).getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = OutputMasker.of(patterns).maskWhole(json.getBytes(StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Forgets the sandbox's values and stops masking them in logs. Idempotent. */
    public void ended(String sandboxId) {
        Granted g = bySandbox.remove(sandboxId);
        if (g != null) {
            release(g);
        }
    }

    private static void release(Granted g) {
        synchronized (g) {
            g.ended = true;
            g.registered.forEach(LogRedaction::release);
            g.registered.clear();
            g.all = SecretValues.none();
        }
    }

    private static void add(Granted g, SecretValues values) {
        synchronized (g) {
            if (g.ended) {
                return;
            }
            LogRedaction.register(values);
            g.registered.add(values);
            g.all = g.all.plus(values);
        }
    }
}
