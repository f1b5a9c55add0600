package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The few calls the SDK does not wrap because only the CLI needs them (tenants and keys for
 * admins, template builds): plain JSON over the JDK's HTTP client, with the server's error
 * messages passed through.
 */
final class ApiHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ApiHttp(CliConfig config) {
        this.config = config;
    }

    /** A path segment from user input, percent-encoded (an id with a space or a slash stays one segment). */
    static String segment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode call(String method, String path, Object body) {
        HttpResponse<String> r = send(method, path, body, HttpResponse.BodyHandlers.ofString(), Duration.ofSeconds(60));
        if (r.statusCode() >= 300) {
            throw failure(r.statusCode(), r.body(), method, path);
        }
        try {
            return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(method + " " + path + " answered something that is not JSON: " + e.getMessage());
        }
    }

    /** A call whose answer is JSON lines; each line goes to {@code onLine} as it arrives. */
    void stream(String method, String path, Object body, Duration timeout, Consumer<JsonNode> onLine) {
        HttpResponse<InputStream> r = send(method, path, body, HttpResponse.BodyHandlers.ofInputStream(), timeout);
        try (InputStream in = r.body(); BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (r.statusCode() >= 300) {
                throw failure(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), method, path);
            }
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    onLine.accept(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new CliException(method + " " + path + " failed while reading: " + e.getMessage());
        }
    }

    private <T> HttpResponse<T> send(String method, String path, Object body, HttpResponse.BodyHandler<T> handler, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url() + path))
                    .timeout(timeout)
                    .header("X-API-Key", config.apiKey())
                    .header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            return http.send(b.build(), handler);
        } catch (java.net.ConnectException e) {
            throw new CliException("cannot reach the server at " + config.url() + " (is it running? ./airlock up)");
        } catch (IOException e) {
            throw new CliException(method + " " + path + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static CliException failure(int status, String body, String method, String path) {
        String message = body;
        try {
            JsonNode j = JSON.readTree(body);
            if (j.hasNonNull("message")) {
                message = j.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it is
        }
        return new CliException(method + " " + path + ": " + message + " (HTTP " + status + ")");
    }
}
