package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How error answers map to exceptions, without a server. */
class ErrorsTest {
    @Test
    void of_controlPlane400WithField_isInvalidRequestNamingIt() {
        AirlockException e = Errors.of(400, Json.parse("{\"code\":400,\"message\":\"must be at most 86400 seconds\",\"field\":\"timeout\"}"
                .getBytes()), "create a sandbox", false);
        assertThat(e).isInstanceOfSatisfying(InvalidRequestException.class, i -> assertThat(i.field()).contains("timeout"));
        assertThat(e).hasMessage("create a sandbox: must be at most 86400 seconds (HTTP 400)");
    }

    @Test
    void of_statuses_mapToTheirClasses() {
        assertThat(Errors.of(401, Json.parse(new byte[0]), "x", false)).isInstanceOf(AuthenticationException.class);
        assertThat(Errors.of(403, Json.parse(new byte[0]), "x", false)).isInstanceOf(AuthenticationException.class);
        assertThat(Errors.of(404, Json.parse(new byte[0]), "x", false)).isInstanceOf(NotFoundException.class);
        assertThat(Errors.of(409, Json.parse(new byte[0]), "x", false)).isInstanceOf(ConflictException.class);
        assertThat(Errors.of(429, Json.parse(new byte[0]), "x", false)).isInstanceOf(RateLimitException.class);
        assertThat(Errors.of(500, Json.parse(new byte[0]), "x", false)).isExactlyInstanceOf(SandboxException.class);
    }

    @Test
    void of_dataPlane502_isNotFound() {
        AirlockException e = Errors.of(502, Json.parse("{\"code\":502,\"message\":\"sandbox ibx1 is not running\"}".getBytes()),
                "read /a in sandbox ibx1", true);
        assertThat(e).isInstanceOf(NotFoundException.class).hasMessageContaining("sandbox ibx1 is not running (HTTP 502)");
        assertThat(e.status()).isEqualTo(502);
    }

    @Test
    void of_connectCodeInBody_winsOverTheStatus() {
        AirlockException e = Errors.of(409, Json.parse("{\"code\":\"already_exists\",\"message\":\"exists\"}".getBytes()), "mkdir", true);
        assertThat(e).isInstanceOf(ConflictException.class).hasMessage("mkdir: exists (already_exists)");
    }

    @Test
    void of_bodyNotJson_quotesIt() {
        assertThat(Errors.of(500, Json.parse("gateway exploded".getBytes()), "x", false)).hasMessageContaining("gateway exploded");
    }
}
