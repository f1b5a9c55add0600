package io.airlock.sdk;

/**
 * The sandbox, process, file or code context does not exist (HTTP 404), or the sandbox is no longer running (HTTP 502 on the data plane).
 *
 * <pre>{@code
 * client.sandboxes().connect("ibx-gone"); // throws NotFoundException
 * }</pre>
 */
public class NotFoundException extends AirlockException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message, int status) {
        super(message, status);
    }

    public NotFoundException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
