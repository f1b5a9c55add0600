package io.airlock.server.envd;

import java.io.IOException;

/**
 * An upload body that cannot be accepted (malformed multipart or gzip, larger than the sandbox's
 * disk): thrown from the streams the upload is read through, so it surfaces wherever the data is
 * consumed, and carries the HTTP status to answer with.
 */
final class UploadException extends IOException {
    private final int status;

    UploadException(int status, String message) {
        super(message, null);
        this.status = status;
    }

    int status() {
        return status;
    }
}
