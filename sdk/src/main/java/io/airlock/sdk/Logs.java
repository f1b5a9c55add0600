package io.airlock.sdk;

import java.util.List;

/**
 * What code printed during one {@code runCode}, chunk by chunk as the kernel sent it.
 *
 * <pre>{@code
 * String out = String.join("", sbx.runCode("print('hi')").logs().stdout());   // "hi\n"
 * }</pre>
 *
 * @param stdout the chunks written to standard output
 * @param stderr the chunks written to standard error
 */
public record Logs(List<String> stdout, List<String> stderr) {
    public Logs {
        stdout = List.copyOf(stdout);
        stderr = List.copyOf(stderr);
    }
}
