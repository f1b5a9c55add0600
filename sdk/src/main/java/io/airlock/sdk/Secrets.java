package io.airlock.sdk;

import java.util.List;

/**
 * The tenant's secrets vault: named values, encrypted at rest, that sandboxes and commands get as
 * environment variables. Values are write-only: nothing here, nor anywhere in the API, returns
 * one. Their exact occurrences are masked as {@code ***} in command output.
 *
 * <pre>{@code
 * client.secrets().set("OPENAI_API_KEY", System.getenv("OPENAI_API_KEY"));
 * try (Sandbox sbx = client.sandboxes().create(SandboxSpec.builder().secrets("OPENAI_API_KEY").build())) {
 *     sbx.commands().run("python3 agent.py");
 * }
 * }</pre>
 *
 * <p>Names are environment-variable shaped ({@code [A-Za-z_][A-Za-z0-9_]{0,127}}); values are
 * 4 bytes to 64 KiB of text without NUL.
 */
public interface Secrets {
    /**
     * Sets a secret's value, creating the secret if needed.
     *
     * @throws InvalidRequestException for a malformed name, or a value shorter than 4 bytes, longer than 64 KiB or with NUL
     */
    SecretInfo set(String name, String value);

    /** The tenant's secrets, by name, without values. */
    List<SecretInfo> list();

    /** @throws NotFoundException if the tenant has no such secret */
    SecretInfo get(String name);

    /** @throws NotFoundException if the tenant has no such secret */
    void delete(String name);

    /**
     * The newest uses of a secret, newest first: which sandbox got it, when, and who asked.
     *
     * @param limit at most this many, 1 to 1000
     * @throws NotFoundException if the tenant has no such secret and it was never used
     */
    List<SecretUse> uses(String name, int limit);
}
