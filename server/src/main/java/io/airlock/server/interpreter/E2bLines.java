package io.airlock.server.interpreter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The lines of E2B's {@code /execute} NDJSON stream, built from a kernel's events. Everything a
 * kernel sends is treated as hostile: only known fields of the expected types are copied, so a
 * kernel can neither forge stream-control lines nor inject fields the SDKs would misread.
 */
final class E2bLines {
    /**
     * Longest kernel protocol line accepted: a large figure as base64 fits easily. The server holds
     * at most one such line per kernel, so this times {@link SandboxContexts#MAX_CONTEXTS} bounds
     * what one sandbox's kernels can make the server buffer.
     */
    static final int MAX_LINE = 16 << 20;
    /**
     * JSON tokens accepted in one kernel line. A parsed tree costs tens of bytes per token, so
     * this bounds the tree of a line made of tiny tokens ({@code [{},{},...]}); a DataFrame's
     * {@code data} of a few hundred thousand cells fits.
     */
    static final long MAX_TOKENS = 1_000_000;

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(MAX_LINE + 1024)
                    .maxTokenCount(MAX_TOKENS)
                    .maxNestingDepth(64)
                    .build())
            .build());

    /** Jupyter MIME key → E2B result field. Others go to {@code extra}. */
    private static final Map<String, String> FORMATS = Map.ofEntries(
            Map.entry("text/plain", "text"),
            Map.entry("text/html", "html"),
            Map.entry("text/markdown", "markdown"),
            Map.entry("image/svg+xml", "svg"),
            Map.entry("image/png", "png"),
            Map.entry("image/jpeg", "jpeg"),
            Map.entry("application/pdf", "pdf"),
            Map.entry("text/latex", "latex"),
            Map.entry("application/json", "json"),
            Map.entry("application/javascript", "javascript"),
            Map.entry("application/vnd.airlock.data+json", "data"));

    private E2bLines() {}

    /** {@code stdout}/{@code stderr}: the text, stamped with the kernel's time (ns) or now. */
    static @Nullable ObjectNode stream(String type, JsonNode event, long nowNanos) {
        JsonNode text = event.get("text");
        if (text == null || !text.isTextual()) {
            return null;
        }
        JsonNode ts = event.get("timestamp");
        ObjectNode line = JSON.createObjectNode();
        line.put("type", type);
        line.put("text", text.asText());
        line.put("timestamp", ts != null && ts.canConvertToExactIntegral() && ts.canConvertToLong() ? ts.asLong() : nowNanos);
        return line;
    }

    /** {@code result}: the kernel's MIME bundle spread over E2B's fields. */
    static ObjectNode result(JsonNode event) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "result");
        ObjectNode extra = JSON.createObjectNode();
        JsonNode data = event.get("data");
        if (data != null && data.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String field = FORMATS.get(f.getKey());
                if (field == null) {
                    extra.set(f.getKey(), f.getValue());
                } else if (field.equals("text") && f.getValue().isTextual()) {
                    line.put("text", unquote(f.getValue().asText()));
                } else {
                    line.set(field, f.getValue());
                }
            }
        }
        JsonNode kernelExtra = event.get("extra");
        if (kernelExtra != null && kernelExtra.isObject()) {
            extra.setAll((ObjectNode) kernelExtra);
        }
        if (!extra.isEmpty()) {
            line.set("extra", extra);
        }
        JsonNode chart = event.get("chart");
        if (chart != null && chart.isObject()) {
            line.set("chart", chart);
        }
        JsonNode main = event.get("is_main_result");
        line.put("is_main_result", main != null && main.asBoolean(false));
        return line;
    }

    /**
     * E2B's server strips one pair of enclosing single quotes from a result's text (Python's
     * {@code 'abc'} is reported as {@code abc}, {@code "it's"} stays as it is); the SDKs' users
     * rely on it.
     */
    static String unquote(String text) {
        if (text.length() >= 2 && text.charAt(0) == '\'' && text.charAt(text.length() - 1) == '\'') {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    static ObjectNode error(JsonNode event) {
        return error(text(event, "name", "Error"), text(event, "value", ""), text(event, "traceback", ""));
    }

    static ObjectNode error(String name, String value, String traceback) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "error");
        line.put("name", name);
        line.put("value", value);
        line.put("traceback", traceback);
        return line;
    }

    static ObjectNode numberOfExecutions(long count) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "number_of_executions");
        line.put("execution_count", count);
        return line;
    }

    static ObjectNode endOfExecution() {
        return JSON.createObjectNode().put("type", "end_of_execution");
    }

    static ObjectNode unexpectedEnd() {
        return JSON.createObjectNode().put("type", "unexpected_end_of_execution");
    }

    private static String text(JsonNode event, String field, String fallback) {
        JsonNode v = event.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) { // Jupyter-style list of lines
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : v) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(part.asText());
            }
            return sb.toString();
        }
        return v.toString();
    }
}
