package io.airlock.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import io.airlock.core.secrets.LogRedaction;
import org.jspecify.annotations.Nullable;

/**
 * A logback encoder that masks every live secret value ({@link LogRedaction}) in what another
 * encoder produced: the message, key/value pairs, MDC and stack traces alike, raw or
 * JSON-escaped. Registered around the JSON encoder in {@code logback.xml}:
 *
 * <pre>{@code
 * <encoder class="io.airlock.server.RedactingEncoder">
 *   <encoder class="ch.qos.logback.classic.encoder.JsonEncoder">...</encoder>
 * </encoder>
 * }</pre>
 *
 * <p>A value is masked while a live sandbox holds it; it costs nothing while none does.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    private @Nullable Encoder<ILoggingEvent> encoder;

    /** The encoder whose output is masked. */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("RedactingEncoder needs a nested <encoder> whose output it masks");
            return;
        }
        if (!encoder.isStarted()) {
            encoder.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (encoder != null) {
            encoder.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder == null ? null : LogRedaction.mask(orEmpty(encoder.headerBytes()));
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        if (encoder == null) {
            return new byte[0];
        }
        byte[] line = orEmpty(encoder.encode(event));
        return LogRedaction.active() ? maskValues(line) : line;
    }

    /**
     * Masks inside the JSON line's string values only, never its keys or structure, so a tenant
     * whose secret is {@code INFO} or {@code level} cannot break or blind the operator's log. A
     * line that is not one JSON value is masked whole.
     */
    static byte[] maskValues(byte[] line) {
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(line);
            if (tree == null || !tree.isContainerNode()) {
                return LogRedaction.mask(line);
            }
            byte[] out = JSON.writeValueAsBytes(masked(tree));
            byte[] withNewline = java.util.Arrays.copyOf(out, out.length + 1);
            withNewline[out.length] = '\n';
            return withNewline;
        } catch (java.io.IOException e) {
            return LogRedaction.mask(line);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode masked(com.fasterxml.jackson.databind.JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            String m = new String(LogRedaction.mask(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    java.nio.charset.StandardCharsets.UTF_8);
            return m.equals(text) ? node : com.fasterxml.jackson.databind.node.TextNode.valueOf(m);
        }
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.properties().forEach(e -> e.setValue(masked(e.getValue())));
        } else if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, masked(a.get(i)));
            }
        }
        return node;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Override
    public byte[] footerBytes() {
        return encoder == null ? null : LogRedaction.mask(orEmpty(encoder.footerBytes()));
    }

    private static byte[] orEmpty(byte @Nullable [] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }
}
