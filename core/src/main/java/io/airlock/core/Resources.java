package io.airlock.core;

/**
 * The limits of one sandbox.
 *
 * @param cpus CPU time as a number of cores (CFS quota), e.g. {@code 1.0} or {@code 0.5}
 * @param memoryBytes memory limit; swap is limited to the same value, so no swap is used
 * @param pids maximum number of tasks (processes and threads)
 * @param diskBytes size of the sandbox's writable layer; writes beyond it get ENOSPC
 */
public record Resources(double cpus, long memoryBytes, int pids, long diskBytes) {
    public static final long MIB = 1024L * 1024;

    /** 1 CPU, 512 MiB memory, 256 pids and 1 GiB disk. */
    public static final Resources DEFAULTS = new Resources(1.0, 512 * MIB, 256, 1024 * MIB);

    /** The smallest limits a sandbox can run with; requests below are raised to these. */
    public static final Resources MINIMUM = new Resources(0.05, 32 * MIB, 16, 16 * MIB);

    public Resources {
        if (!(cpus > 0) || memoryBytes <= 0 || pids <= 0 || diskBytes <= 0) {
            throw new InvalidRequestException(
                    "resources",
                    "every limit must be positive, got cpus=%s memoryBytes=%d pids=%d diskBytes=%d"
                            .formatted(cpus, memoryBytes, pids, diskBytes));
        }
    }

    /** Each limit clamped into {@code [MINIMUM, max]}. */
    public Resources clampTo(Resources max) {
        return new Resources(
                Math.max(MINIMUM.cpus, Math.min(cpus, max.cpus)),
                Math.max(MINIMUM.memoryBytes, Math.min(memoryBytes, max.memoryBytes)),
                Math.max(MINIMUM.pids, Math.min(pids, max.pids)),
                Math.max(MINIMUM.diskBytes, Math.min(diskBytes, max.diskBytes)));
    }
}
