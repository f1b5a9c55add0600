package io.airlock.sdk;

/**
 * The error code raised in {@code runCode}: its class, message and traceback. Not thrown: it is
 * reported in {@link Execution#error()}, as E2B's SDKs do.
 *
 * <pre>{@code
 * sbx.runCode("1/0").error().ifPresent(e -> System.err.println(e.name() + ": " + e.value()));  // ZeroDivisionError: division by zero
 * }</pre>
 *
 * @param name the error's class, e.g. {@code ZeroDivisionError}
 * @param value its message
 * @param traceback the traceback as the kernel printed it
 */
public record ExecutionError(String name, String value, String traceback) {}
