package io.airlock.sdk;

/**
 * The request conflicts with the current state (HTTP 409): pausing a paused sandbox, running code in a paused one, creating a file that exists.
 *
 * <pre>{@code
 * sbx.files().makeDir("/tmp"); // false rather than this exception, as E2B does
 * }</pre>
 */
public class ConflictException extends AirlockException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message, int status) {
        super(message, status);
    }

    public ConflictException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
