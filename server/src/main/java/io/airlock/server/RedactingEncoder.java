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
        return encoder == null ? new byte[0] : LogRedaction.mask(orEmpty(encoder.encode(event)));
    }

    @Override
    public byte[] footerBytes() {
        return encoder == null ? null : LogRedaction.mask(orEmpty(encoder.footerBytes()));
    }

    private static byte[] orEmpty(byte @Nullable [] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }
}
