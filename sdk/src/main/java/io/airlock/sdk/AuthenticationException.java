package io.airlock.sdk;

/**
 * The API key is missing, unknown or revoked (HTTP 401), or does not allow the operation (HTTP 403).
 *
 * <pre>{@code
 * AirlockClient.builder().apiKey("e2b_wrong").build().sandboxes().list(ListOptions.all()); // throws
 * }</pre>
 */
public class AuthenticationException extends AirlockException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message, int status) {
        super(message, status);
    }

    public AuthenticationException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
