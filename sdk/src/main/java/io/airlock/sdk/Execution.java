package io.airlock.sdk;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one {@code runCode}: its results, what it printed, the error it raised if any,
 * and the context's execution count.
 *
 * <pre>{@code
 * Execution ex = sbx.runCode("print('hi'); 1 + 1");
 * ex.text();                 // Optional["2"]: the main result's text
 * ex.logs().stdout();        // ["hi\n"]
 * ex.error();                // empty: it raised nothing
 * }</pre>
 */
public final class Execution {
    private final List<Result> results;
    private final Logs logs;
    private final ExecutionError error;
    private final long executionCount;

    Execution(List<Result> results, Logs logs, ExecutionError error, long executionCount) {
        this.results = List.copyOf(results);
        this.logs = logs;
        this.error = error;
        this.executionCount = executionCount;
    }

    /** Everything displayed, in order; the main result (if any) among them. */
    public List<Result> results() {
        return results;
    }

    /** What the code printed. */
    public Logs logs() {
        return logs;
    }

    /** The error the code raised; empty when it ran to the end. */
    public Optional<ExecutionError> error() {
        return Optional.ofNullable(error);
    }

    /** The context's count of executions after this one; 0 if the kernel did not report it. */
    public long executionCount() {
        return executionCount;
    }

    /** The text of the main result (the value of the last expression), if there is one. */
    public Optional<String> text() {
        return results.stream().filter(Result::isMainResult).findFirst().flatMap(Result::text);
    }

    @Override
    public String toString() {
        return "Execution[results=" + results + ", error=" + error + "]";
    }
}
