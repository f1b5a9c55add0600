/**
 * The control-plane process: the composition root ({@link io.airlock.server.Airlock}) and the
 * HTTP front doors over the one {@link io.airlock.core.SandboxService}.
 */
@NullMarked
package io.airlock.server;

import org.jspecify.annotations.NullMarked;
