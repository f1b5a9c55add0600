package io.airlock.server.envd;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the service layer throws into Connect errors, in one place. Unexpected exceptions
 * are logged with their stack trace and answered with a generic {@code internal} error that
 * leaks no host detail.
 */
final class ConnectErrors {
    private static final Logger log = LoggerFactory.getLogger(ConnectErrors.class);

    private ConnectErrors() {}

    static ConnectException from(Throwable e, String rpc) {
        return switch (e) {
            case ConnectException c -> c;
            case SandboxFileException f -> new ConnectException(fileCode(f.reason()), f.getMessage());
            case InvalidRequestException i -> ConnectException.invalidArgument(i.getMessage());
            case SandboxNotFoundException n ->
                new ConnectException(ConnectCode.UNAVAILABLE, "the sandbox is not running: it was killed, timed out, or never existed");
            case SandboxStateException s -> new ConnectException(ConnectCode.UNAVAILABLE, s.getMessage());
            case EnvdException d -> new ConnectException(switch (d.status()) {
                case 400 -> ConnectCode.INVALID_ARGUMENT;
                case 401 -> ConnectCode.UNAUTHENTICATED;
                case 403 -> ConnectCode.PERMISSION_DENIED;
                case 404 -> ConnectCode.NOT_FOUND;
                case 502, 503 -> ConnectCode.UNAVAILABLE;
                default -> ConnectCode.INTERNAL;
            }, d.getMessage());
            case InterruptedException i -> new ConnectException(ConnectCode.UNAVAILABLE, "the server is shutting down; retry");
            default -> {
                log.atError().setCause(e).addKeyValue("rpc", rpc).log("unexpected error in a Connect RPC");
                yield new ConnectException(ConnectCode.INTERNAL, "internal error in " + rpc + "; the server log has details");
            }
        };
    }

    static ConnectCode fileCode(SandboxFileException.Reason reason) {
        return switch (reason) {
            case NOT_FOUND -> ConnectCode.NOT_FOUND;
            case ALREADY_EXISTS -> ConnectCode.ALREADY_EXISTS;
            case PERMISSION_DENIED -> ConnectCode.PERMISSION_DENIED;
            case NO_SPACE -> ConnectCode.RESOURCE_EXHAUSTED;
            case NOT_A_DIRECTORY, IS_A_DIRECTORY, NOT_REGULAR_FILE, INVALID_PATH -> ConnectCode.INVALID_ARGUMENT;
            case IO_ERROR -> ConnectCode.INTERNAL;
        };
    }
}
