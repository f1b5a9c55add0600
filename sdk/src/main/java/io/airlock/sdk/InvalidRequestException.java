package io.airlock.sdk;

import java.util.Optional;

/**
 * The server refused the request as malformed (HTTP 400, or a Connect {@code invalid_argument} /
 * {@code failed_precondition}); {@link #field()} names the request field at fault when the server
 * said which.
 *
 * <pre>{@code
 * try {
 *     client.sandboxes().create(SandboxSpec.builder().template("no-such-template").build());
 * } catch (InvalidRequestException | NotFoundException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class InvalidRequestException extends AirlockException {
    private static final long serialVersionUID = 1L;
    private final String field;

    /** @param field the request field at fault, or null when the server did not name one */
    public InvalidRequestException(String message, int status, String field) {
        super(message, status);
        this.field = field;
    }

    /** The request field the server named as at fault, if it named one. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
