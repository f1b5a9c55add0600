package io.airlock.runtime;

import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFileException.Reason;

/** Maps the agent's ERROR frames (a Linux errno and a message) to API exceptions. */
final class AgentErrors {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ENAMETOOLONG = 36;
    static final int ELOOP = 40;
    static final int EDQUOT = 122;

    private AgentErrors() {}

    /**
     * An ERROR frame's payload.
     *
     * @param errno the Linux errno the operation failed with
     * @param message the agent's description
     */
    record Error(int errno, String message) {
        String describe() {
            return message.isEmpty() ? "errno " + errno : message + " (errno " + errno + ")";
        }
    }

    /** The API reason for a failed file operation. */
    static Reason reason(Error error) {
        return switch (error.errno()) {
            case ENOENT -> Reason.NOT_FOUND;
            case EEXIST -> Reason.ALREADY_EXISTS;
            case ENOTDIR -> Reason.NOT_A_DIRECTORY;
            case EISDIR -> Reason.IS_A_DIRECTORY;
            case EACCES, EPERM -> Reason.PERMISSION_DENIED;
            case ENOSPC, EDQUOT -> Reason.NO_SPACE;
            // the agent answers EINVAL "not a regular file" for FIFOs, devices and sockets
            case EINVAL -> error.message().contains("regular file") ? Reason.NOT_REGULAR_FILE : Reason.INVALID_PATH;
            case ENAMETOOLONG, ELOOP -> Reason.INVALID_PATH;
            default -> Reason.IO_ERROR;
        };
    }

    /** The exception for a file operation on {@code path} that the agent failed with {@code error}. */
    static SandboxFileException fileException(String path, Error error) {
        return new SandboxFileException(reason(error), path, error.describe());
    }
}
