/** API-key authentication and the tenant a request acts for. */
@NullMarked
package io.airlock.server.auth;

import org.jspecify.annotations.NullMarked;
