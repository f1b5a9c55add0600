package io.airlock.sdk;

/**
 * The base of every exception the SDK throws: unchecked, with a message that states what was
 * asked, of which sandbox, and what the server answered.
 *
 * <pre>{@code
 * try {
 *     client.sandboxes().connect("ibx0123");
 * } catch (NotFoundException e) {
 *     // the sandbox was killed, timed out, or never existed
 * } catch (AirlockException e) {
 *     System.err.println(e.getMessage() + " (HTTP " + e.status() + ")");
 * }
 * }</pre>
 */
public class AirlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /**
     * @param status the HTTP status the server answered, or 0 when the failure happened on the client
     */
    public AirlockException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public AirlockException(String message, int status) {
        this(message, status, null);
    }

    /** The HTTP status the server answered, or 0 when the failure happened on the client (I/O, timeout). */
    public int status() {
        return status;
    }
}
