package io.airlock.core;

/**
 * Resource usage of one sandbox.
 *
 * @param cpuNanos total CPU time used
 * @param memoryBytes current memory use (rss + cache)
 * @param memoryLimitBytes memory limit
 * @param pids current number of tasks
 * @param diskUsedBytes bytes used in the writable layer
 * @param diskTotalBytes size of the writable layer
 * @param oomKills how many tasks the memory limit has killed so far
 */
public record SandboxStats(
        long cpuNanos, long memoryBytes, long memoryLimitBytes, int pids, long diskUsedBytes, long diskTotalBytes, long oomKills) {}
