package io.airlock.sdk;

/**
 * Whether a sandbox runs or is paused (frozen, with its processes and files kept).
 *
 * <pre>{@code
 * if (sbx.info().state() == SandboxState.PAUSED) sbx.resume();
 * }</pre>
 */
public enum SandboxState {
    RUNNING,
    PAUSED;

    String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
