package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.airlock.core.secrets.LogRedaction;
import io.airlock.core.secrets.SecretValues;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The production {@code logback.xml} wraps its JSON encoder in {@link RedactingEncoder}, which masks live values. */
class RedactingEncoderTest {

    @Test
    void productionConfig_masksARegisteredValue_rawAndEscaped() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(Airlock.class.getResource("/logback.xml"));
        var appender = (OutputStreamAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        assertThat(appender.getEncoder()).isInstanceOf(RedactingEncoder.class);
        RedactingEncoder encoder = (RedactingEncoder) appender.getEncoder();
        ch.qos.logback.classic.Logger logger = context.getLogger("test");
        String value = "log-redaction-\"quoted\"/slashed";
        var values = SecretValues.of(java.util.Map.of("LOGGED", value));

        LogRedaction.register(values);
        String masked;
        try {
            masked = new String(encoder.encode(new LoggingEvent("x", logger, Level.WARN, "value is {}", null, new Object[] {value})),
                    StandardCharsets.UTF_8);
        } finally {
            LogRedaction.release(values);
        }
        String after = new String(encoder.encode(new LoggingEvent("x", logger, Level.WARN, "value is {}", null, new Object[] {value})),
                StandardCharsets.UTF_8);

        assertThat(masked).contains("value is ***").doesNotContain("log-redaction").doesNotContain("slashed");
        assertThat(after).as("released: logged as is (escaped)").contains("log-redaction-");
        context.stop();
    }

    @Test
    void aValueThatIsAlsoAPartOfTheLogLayout_isMaskedInValuesOnly_andTheLineStaysJson() throws Exception {
        String value = "level"; // also a key of every line, and (as "INFO") could be a value of every line
        var values = SecretValues.of(java.util.Map.of("LAYOUT", value, "LEVEL", "INFO"));
        byte[] line = "{\"level\":\"INFO\",\"formattedMessage\":\"the level is INFO here\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        LogRedaction.register(values);
        String masked;
        try {
            masked = new String(RedactingEncoder.maskValues(line), StandardCharsets.UTF_8);
        } finally {
            LogRedaction.release(values);
        }
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(masked);
        assertThat(tree.has("level")).as("keys are never masked: %s", masked).isTrue();
        assertThat(tree.get("level").asText()).isEqualTo("***");
        assertThat(tree.get("formattedMessage").asText()).isEqualTo("the *** is *** here");
        assertThat(masked).endsWith("\n");
    }
}
