/**
 * Airlock's domain and service layer: what a sandbox is, the ports the isolation runtimes
 * implement ({@link io.airlock.core.SandboxRuntime}, {@link io.airlock.core.Templates}), and the
 * one service every front door calls ({@link io.airlock.core.SandboxService}).
 *
 * <p>Nothing here knows about HTTP, JDBC or a particular OCI runtime.
 */
@NullMarked
package io.airlock.core;

import org.jspecify.annotations.NullMarked;
