package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One displayed value of a {@code runCode}: the value of the last expression (the main result)
 * or something shown with {@code display()} / {@code plt.show()}, in every format the kernel
 * produced. Each format is optional; binary formats ({@link #png()}, {@link #jpeg()}) are
 * decoded from base64, structured ones ({@link #json()}, {@link #data()}, {@link #chart()}) are
 * plain Java maps, lists, strings, numbers and booleans.
 *
 * <pre>{@code
 * Result r = sbx.runCode("import matplotlib.pyplot as plt; plt.plot([1, 3]); plt.show()").results().get(0);
 * byte[] png = r.png().orElseThrow();
 * java.nio.file.Files.write(Path.of("plot.png"), png);
 * }</pre>
 */
public final class Result {
    private static final List<String> FORMATS = List.of("text", "html", "markdown", "svg", "png", "jpeg", "pdf", "latex",
            "json", "javascript", "data", "chart");
    private final JsonNode line;

    Result(JsonNode line) {
        this.line = line;
    }

    /** The plain-text form, e.g. {@code 42} or a DataFrame's text table. */
    public Optional<String> text() {
        return string("text");
    }

    public Optional<String> html() {
        return string("html");
    }

    public Optional<String> markdown() {
        return string("markdown");
    }

    public Optional<String> svg() {
        return string("svg");
    }

    public Optional<String> latex() {
        return string("latex");
    }

    public Optional<String> javascript() {
        return string("javascript");
    }

    /** The PDF, base64 as the kernel sent it. */
    public Optional<String> pdf() {
        return string("pdf");
    }

    /** The PNG image, decoded. */
    public Optional<byte[]> png() {
        return string("png").map(s -> Base64.getMimeDecoder().decode(s));
    }

    /** The JPEG image, decoded. */
    public Optional<byte[]> jpeg() {
        return string("jpeg").map(s -> Base64.getMimeDecoder().decode(s));
    }

    /** The {@code application/json} value, as maps, lists and scalars. */
    public Optional<Object> json() {
        return value("json").map(v -> Json.MAPPER.convertValue(v, Object.class));
    }

    /** A DataFrame's data ({@code columns}, {@code data}, ...) as E2B reports it. */
    public Optional<Map<String, Object>> data() {
        return object("data");
    }

    /** A matplotlib chart's parsed structure ({@code type}, {@code title}, {@code elements}, ...). */
    public Optional<Map<String, Object>> chart() {
        return object("chart");
    }

    /** Whether this is the value of the cell's last expression rather than something displayed. */
    public boolean isMainResult() {
        return line.path("is_main_result").asBoolean(false);
    }

    /** The formats present, e.g. {@code [text, png]}. */
    public List<String> formats() {
        List<String> present = new ArrayList<>();
        for (String f : FORMATS) {
            if (value(f).isPresent()) {
                present.add(f);
            }
        }
        return Collections.unmodifiableList(present);
    }

    private Optional<JsonNode> value(String field) {
        JsonNode v = line.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    private Optional<String> string(String field) {
        return value(field).map(v -> v.isTextual() ? v.asText() : v.toString());
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> object(String field) {
        return value(field).filter(JsonNode::isObject).map(v -> (Map<String, Object>) Json.MAPPER.convertValue(v, Map.class));
    }

    @Override
    public String toString() {
        return "Result" + formats() + text().map(t -> ": " + (t.length() > 80 ? t.substring(0, 80) + "…" : t)).orElse("");
    }
}
