package io.airlock.server.envd;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one message of a request in the proto3 JSON mapping, as lenient as protobuf's own
 * parsers where the mapping allows and strict where it does not.
 *
 * <ul>
 *   <li>fields are found by their lowerCamelCase JSON name or their original snake_case name;
 *       unknown fields are ignored; {@code null} means the field's default;
 *   <li>integers may be JSON numbers or decimal strings (64-bit ones usually arrive as strings);
 *   <li>{@code bytes} are base64, standard or URL-safe, with or without padding;
 *   <li>enums are names or numbers;
 *   <li>a value of the wrong JSON type is an {@code invalid_argument} error naming the field by
 *       its path, e.g. {@code process.args[1]}.
 * </ul>
 */
final class ProtoReader {
    private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);

    private final JsonNode node;
    private final String path;

    private ProtoReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The request message itself. */
    static ProtoReader root(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ConnectException.invalidArgument("the request body must be a JSON object (the proto3 JSON form of the request message)");
        }
        return new ProtoReader(node, "");
    }

    /** Whether the field is present with a non-null value. */
    boolean has(String name) {
        return value(name) != null;
    }

    String string(String name) {
        return optString(name).orElse("");
    }

    /** A string field with explicit presence ({@code optional string}). */
    Optional<String> optString(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return Optional.of(v.textValue());
    }

    boolean bool(String name) {
        return optBool(name).orElse(false);
    }

    /** A bool field with explicit presence ({@code optional bool}). */
    Optional<Boolean> optBool(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "true or false", v);
        }
        return Optional.of(v.booleanValue());
    }

    /** A {@code uint32} field: 0 to 4294967295. */
    long uint32(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return 0;
        }
        BigInteger n = integer(name, v, "an integer from 0 to 4294967295");
        if (n.signum() < 0 || n.compareTo(UINT32_MAX) > 0) {
            throw ConnectException.invalidArgument("field '" + field(name) + "' must be an integer from 0 to 4294967295, got " + n);
        }
        return n.longValue();
    }

    byte[] bytes(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return new byte[0];
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a base64 string", v);
        }
        String text = v.textValue();
        try {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
        } catch (IllegalArgumentException e) {
            throw ConnectException.invalidArgument("field '" + field(name) + "' must be base64 (standard or URL-safe): " + e.getMessage());
        }
    }

    /**
     * An enum field, by name or number.
     *
     * @param names the enum's value names and numbers
     * @return the number, 0 when absent
     */
    int enumValue(String name, Map<String, Integer> names) {
        JsonNode v = value(name);
        if (v == null) {
            return 0;
        }
        if (v.isTextual()) {
            Integer n = names.get(v.textValue());
            if (n == null) {
                throw ConnectException.invalidArgument("field '" + field(name) + "' must be one of " + String.join(", ", names.keySet())
                        + "; got '" + abbreviate(v.textValue()) + "'");
            }
            return n;
        }
        if (v.isNumber()) {
            BigInteger n = integer(name, v, "an enum name or number");
            if (n.bitLength() > 31) {
                throw ConnectException.invalidArgument("field '" + field(name) + "' is out of range for an enum: " + n);
            }
            return n.intValue();
        }
        throw wrongType(name, "one of " + String.join(", ", names.keySet()), v);
    }

    /** A message field, or empty when absent. */
    Optional<ProtoReader> message(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw wrongType(name, "a JSON object", v);
        }
        return Optional.of(new ProtoReader(v, field(name)));
    }

    /** A message field that must be present. */
    ProtoReader requiredMessage(String name, String what) {
        return message(name).orElseThrow(() -> ConnectException.invalidArgument("field '" + field(name) + "' is required: " + what));
    }

    List<String> strings(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw wrongType(name, "an array of strings", v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw ConnectException.invalidArgument("field '" + field(name) + "[" + i + "]' must be a string, got " + kind(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** A {@code map<string, string>} field, in its JSON object form. */
    Map<String, String> stringMap(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw wrongType(name, "a JSON object of string values", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw ConnectException.invalidArgument("field '" + field(name) + "." + abbreviate(e.getKey()) + "' must be a string, got "
                        + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /**
     * Which member of a oneof is set.
     *
     * @return the member's JSON name, or empty if none is
     * @throws ConnectException if more than one is
     */
    Optional<String> oneof(String oneofName, String... members) {
        String found = null;
        for (String m : members) {
            if (has(m)) {
                if (found != null) {
                    throw ConnectException.invalidArgument("'" + field(oneofName) + "' is a oneof: set only one of "
                            + String.join(", ", members) + ", not both " + found + " and " + m);
                }
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The field's path for messages, e.g. {@code process.cwd}. */
    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private JsonNode value(String name) {
        JsonNode v = node.get(name);
        String snake = snakeCase(name);
        if (!snake.equals(name)) {
            JsonNode s = node.get(snake);
            if (v != null && s != null && !v.isNull() && !s.isNull()) {
                throw ConnectException.invalidArgument("field '" + field(name) + "' is given twice, as " + name + " and " + snake);
            }
            if (v == null || v.isNull()) {
                v = s;
            }
        }
        return v == null || v.isNull() ? null : v;
    }

    private BigInteger integer(String name, JsonNode v, String expected) {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue();
        }
        if (v.isNumber()) {
            try {
                return v.decimalValue().toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw ConnectException.invalidArgument("field '" + field(name) + "' must be " + expected + ", got " + v.asText());
            }
        }
        if (v.isTextual() && v.textValue().matches("-?[0-9]{1,20}")) {
            return new BigInteger(v.textValue());
        }
        throw wrongType(name, expected, v);
    }

    private ConnectException wrongType(String name, String expected, JsonNode v) {
        return ConnectException.invalidArgument("field '" + field(name) + "' must be " + expected + ", got " + kind(v));
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "the string \"" + abbreviate(v.textValue()) + "\"";
        }
        if (v.isNumber()) {
            return "the number " + abbreviate(v.asText());
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        return v.isArray() ? "an array" : v.isObject() ? "an object" : v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
