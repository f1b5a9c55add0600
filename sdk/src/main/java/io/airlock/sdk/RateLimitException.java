package io.airlock.sdk;

/**
 * The server refused the request for a limit (HTTP 429): the tenant's concurrent-sandbox quota, or too many executions queued on one code context.
 *
 * <pre>{@code
 * client.sandboxes().create(spec); // throws when the tenant already runs its maximum
 * }</pre>
 */
public class RateLimitException extends AirlockException {
    private static final long serialVersionUID = 1L;

    public RateLimitException(String message, int status) {
        super(message, status);
    }

    public RateLimitException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
