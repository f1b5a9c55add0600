package io.airlock.sdk;

/**
 * Any other failure reported by the server (HTTP 5xx, a Connect error without a more specific class) or of the connection to it.
 *
 * <pre>{@code
 * sbx.commands().run("true"); // throws SandboxException if the server cannot be reached
 * }</pre>
 */
public class SandboxException extends AirlockException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message, int status) {
        super(message, status);
    }

    public SandboxException(String message, int status, Throwable cause) {
        super(message, status, cause);
    }
}
