package io.airlock.core.crypto;

import io.airlock.core.AirlockException;

/**
 * Ciphertext that failed authentication: tampered with, truncated, moved to another tenant or
 * object, or sealed under a key this server does not have.
 */
public class IntegrityException extends AirlockException {
    public IntegrityException(String message) {
        super(message);
    }

    public IntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
