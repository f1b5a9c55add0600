/**
 * E2B's control-plane REST API ({@code POST /sandboxes}, {@code GET /v2/sandboxes}, …), so the
 * official E2B SDKs drive Airlock unchanged; its envd data plane is {@link io.airlock.server.envd}.
 */
@NullMarked
package io.airlock.server.e2b;

import org.jspecify.annotations.NullMarked;
