package io.airlock.runtime;

import java.time.Duration;

/**
 * How long creating one container took, by phase.
 *
 * @param disk copying the golden image, attaching the loop device and mounting it
 * @param overlay making the bundle directories and mounting the overlay root
 * @param bundle writing config.json, making the FIFOs and opening them
 * @param runtime {@code runc run -d} or {@code runsc run --detach}, until it exited
 * @param total everything, from the marker to the reopened FIFO ends
 */
record ContainerTimings(Duration disk, Duration overlay, Duration bundle, Duration runtime, Duration total) {}
