package io.airlock.server.auth;

import io.airlock.core.AirlockException;

/** The caller is known but may not do this (HTTP 403). */
public final class ForbiddenException extends AirlockException {
    public ForbiddenException(String message) {
        super(message);
    }
}
