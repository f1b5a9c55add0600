/**
 * The {@code airlock} command line, on the Java SDK: run code in a fresh sandbox in one command,
 * manage sandboxes, files, templates, tenants and keys. {@link io.airlock.cli.Main} is the entry
 * point; {@code ./airlock} in the repository runs it for every verb it does not handle itself.
 */
package io.airlock.cli;
