package io.airlock.sdk;

/**
 * A stateful code kernel in a sandbox: variables, imports and the working directory persist
 * between {@code runCode} calls in the same context.
 *
 * <pre>{@code
 * CodeContext py = sbx.createCodeContext("python", "/home/user");
 * sbx.runCode("x = 41", RunCodeOptions.builder().context(py).build());
 * sbx.runCode("x + 1", RunCodeOptions.builder().context(py).build()).text();   // Optional["42"]
 * }</pre>
 *
 * @param id the context's id
 * @param language {@code python}, {@code javascript} or {@code bash}
 * @param cwd its working directory
 */
public record CodeContext(String id, String language, String cwd) {}
