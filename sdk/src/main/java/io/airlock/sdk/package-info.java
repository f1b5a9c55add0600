/**
 * Airlock's Java SDK: run code in Airlock sandboxes (or any server speaking E2B's API) from Java 17+.
 *
 * <p>Start at {@link io.airlock.sdk.AirlockClient}: {@code client.sandboxes().create(spec)} gives a
 * {@link io.airlock.sdk.Sandbox} with {@code commands()}, {@code files()}, {@code pty()} and
 * {@code runCode(...)}. Everything public is in this package: interfaces for the services, records
 * for values, one unchecked exception hierarchy rooted at {@link io.airlock.sdk.AirlockException}.
 * The HTTP implementations (E2B's control plane, envd's Connect-JSON data plane, the code
 * interpreter's NDJSON) are package-private.
 *
 * <pre>{@code
 * AirlockClient client = AirlockClient.builder().build();   // AIRLOCK_URL / AIRLOCK_API_KEY
 * try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
 *     System.out.println(sbx.commands().run("echo hi").stdout());
 * }
 * }</pre>
 */
package io.airlock.sdk;
