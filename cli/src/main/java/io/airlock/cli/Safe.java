package io.airlock.cli;

/**
 * Text from a sandbox (file names, messages that quote them) made safe to print: control
 * characters (C0, DEL, C1), which a terminal would obey as escape sequences, become
 * {@code \xNN}. The streamed output of {@code run} and {@code exec} is the program's own and is
 * passed through as it is, like {@code docker run} does.
 */
final class Safe {
    private Safe() {}

    static String text(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f;
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
