/**
 * E2B's code-interpreter server (the one E2B runs inside a sandbox on port 49999), served by the
 * control-plane process for every sandbox on the shared data-plane port: requests carry
 * {@code E2b-Sandbox-Port: 49999}. Each code context is one long-lived kernel process in the
 * sandbox, spoken to over its stdin and stdout, one JSON object per line.
 */
@NullMarked
package io.airlock.server.interpreter;

import org.jspecify.annotations.NullMarked;
