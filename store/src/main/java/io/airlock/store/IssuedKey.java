package io.airlock.store;

/**
 * A freshly issued API key. The plaintext is not stored anywhere: show it to its owner once.
 *
 * @param info the key's stored record
 * @param plaintext the key itself, {@code e2b_} followed by 40 lowercase hex digits
 */
public record IssuedKey(ApiKey info, String plaintext) {

    /** Keeps the plaintext out of logs. */
    @Override
    public String toString() {
        return "IssuedKey[info=" + info + ", plaintext=" + info.prefix() + "…]";
    }
}
