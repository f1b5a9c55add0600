package io.airlock.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** {@code 90}, {@code 90s}, {@code 5m}, {@code 2h} as a duration; plain numbers are seconds. */
final class Durations implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (!t.matches("\\d{1,9}[smh]?")) {
            throw new picocli.CommandLine.TypeConversionException("'" + text + "' is not a duration like 90, 90s, 5m or 2h");
        }
        char last = t.charAt(t.length() - 1);
        if (Character.isDigit(last)) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (last) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
