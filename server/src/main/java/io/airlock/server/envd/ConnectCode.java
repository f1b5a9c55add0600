package io.airlock.server.envd;

/**
 * The Connect protocol's error codes, with the HTTP status a unary error is sent with (the
 * table of the Connect specification; clients read the code from the body, the status only
 * when the body is not a Connect error).
 */
enum ConnectCode {
    CANCELED("canceled", 499),
    UNKNOWN("unknown", 500),
    INVALID_ARGUMENT("invalid_argument", 400),
    DEADLINE_EXCEEDED("deadline_exceeded", 504),
    NOT_FOUND("not_found", 404),
    ALREADY_EXISTS("already_exists", 409),
    PERMISSION_DENIED("permission_denied", 403),
    RESOURCE_EXHAUSTED("resource_exhausted", 429),
    FAILED_PRECONDITION("failed_precondition", 400),
    ABORTED("aborted", 409),
    OUT_OF_RANGE("out_of_range", 400),
    UNIMPLEMENTED("unimplemented", 501),
    INTERNAL("internal", 500),
    UNAVAILABLE("unavailable", 503),
    DATA_LOSS("data_loss", 500),
    UNAUTHENTICATED("unauthenticated", 401);

    private final String wire;
    private final int httpStatus;

    ConnectCode(String wire, int httpStatus) {
        this.wire = wire;
        this.httpStatus = httpStatus;
    }

    /** The code as it appears in JSON, e.g. {@code not_found}. */
    String wire() {
        return wire;
    }

    int httpStatus() {
        return httpStatus;
    }
}
