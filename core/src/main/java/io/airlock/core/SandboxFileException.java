package io.airlock.core;

/** A file operation inside a sandbox failed; {@link #reason()} says why in API terms. */
public class SandboxFileException extends AirlockException {
    /** Why a file operation failed. */
    public enum Reason {
        NOT_FOUND,
        ALREADY_EXISTS,
        NOT_A_DIRECTORY,
        IS_A_DIRECTORY,
        NOT_REGULAR_FILE,
        PERMISSION_DENIED,
        NO_SPACE,
        INVALID_PATH,
        IO_ERROR
    }

    private final Reason reason;
    private final String path;

    public SandboxFileException(Reason reason, String path, String message) {
        super(path + ": " + message);
        this.reason = reason;
        this.path = path;
    }

    public Reason reason() {
        return reason;
    }

    /** The path inside the sandbox the operation was about. */
    public String path() {
        return path;
    }
}
