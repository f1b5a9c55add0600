package io.airlock.runtime.egress;

/**
 * Hostile text made safe to put in a reason or an exception message, which end up in logs and
 * audit records: at most {@value #MAX} characters, quoted, and every byte outside printable ASCII
 * (and the quote and backslash) written as {@code \xNN}, so a peer cannot forge log lines or
 * terminal escapes through a host name.
 */
final class Printable {
    static final int MAX = 80;

    private Printable() {}

    static String quote(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 8).append('"');
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(c > 0xFF ? String.format("\\u%04x", (int) c) : String.format("\\x%02x", (int) c));
            }
        }
        out.append('"');
        if (s.length() > MAX) {
            out.append("... (").append(s.length()).append(" chars)");
        }
        return out.toString();
    }
}
