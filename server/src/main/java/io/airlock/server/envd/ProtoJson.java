package io.airlock.server.envd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;

/**
 * The proto3 JSON mapping on the way out, plus the one parser for requests. Responses are built
 * as JSON trees field by field, so what goes on the wire is exactly what the proto files name:
 * lowerCamelCase fields, base64 bytes, 64-bit integers as strings, enums by name, timestamps as
 * RFC 3339.
 */
final class ProtoJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant MIN_TIMESTAMP = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private ProtoJson() {}

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** {@code {name: {}}}: a message whose only field is an empty message, e.g. a keepalive. */
    static ObjectNode empty(String name) {
        ObjectNode o = object();
        o.putObject(name);
        return o;
    }

    static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /**
     * A {@code google.protobuf.Timestamp}: RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits,
     * clamped to the years 1 to 9999 the type allows (a sandbox can set any mtime it likes).
     */
    static String timestamp(Instant t) {
        Instant clamped = t.isBefore(MIN_TIMESTAMP) ? MIN_TIMESTAMP : t.isAfter(MAX_TIMESTAMP) ? MAX_TIMESTAMP : t;
        return clamped.toString();
    }

    /**
     * Parses a request body.
     *
     * @throws ConnectException invalid_argument, saying where the JSON is malformed
     */
    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return object();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            throw ConnectException.invalidArgument("the request body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialize", e);
        }
    }
}
