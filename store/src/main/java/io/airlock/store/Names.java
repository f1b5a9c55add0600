package io.airlock.store;

import io.airlock.core.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/** Validation of tenant and key names; errors name the field and the rule. */
final class Names {
    private Names() {}

    /** 1 to 64 of {@code A-Z a-z 0-9 . _ -}. */
    static void checkTenantName(@Nullable String name) {
        String rule = "use 1 to " + Tenants.MAX_NAME_LENGTH + " of A-Z a-z 0-9 . _ -";
        checkLength(name, rule);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new InvalidRequestException("name", "contains " + describe(c) + " at position " + i + "; " + rule);
            }
        }
    }

    /** 1 to 64 characters, not all blank, no control characters. */
    static void checkKeyName(@Nullable String name) {
        String rule = "use 1 to " + Tenants.MAX_NAME_LENGTH + " characters without control characters";
        checkLength(name, rule);
        if (name.isBlank()) {
            throw new InvalidRequestException("name", "is blank; " + rule);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                throw new InvalidRequestException("name", "contains " + describe(c) + " at position " + i + "; " + rule);
            }
        }
    }

    private static void checkLength(@Nullable String name, String rule) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("name", "is missing; " + rule);
        }
        if (name.length() > Tenants.MAX_NAME_LENGTH) {
            throw new InvalidRequestException("name", "is " + name.length() + " characters long; " + rule);
        }
    }

    /** A character as it can be shown safely: printable ASCII quoted, anything else as U+XXXX. */
    private static String describe(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
