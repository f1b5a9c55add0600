package io.airlock.server.auth;

import io.airlock.core.AirlockException;

/** The request carries no valid credentials (HTTP 401). */
public final class UnauthenticatedException extends AirlockException {
    public UnauthenticatedException(String message) {
        super(message);
    }
}
