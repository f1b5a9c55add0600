package io.airlock.server;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one error shape every endpoint answers with.
 *
 * @param code HTTP status code, repeated in the body (E2B's shape)
 * @param message what went wrong and how to fix it
 * @param field the request field at fault, when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ApiError(int code, String message, String field) {}
