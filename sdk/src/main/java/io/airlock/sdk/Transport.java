package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * HTTP/1.1 to one server with the JDK's client: builds control-plane requests (API key), sends
 * requests, and turns error answers and I/O failures into the SDK's exceptions. HTTP/1.1 because
 * the data plane's streams are Connect over HTTP/1.1, and a code run is interrupted by closing its
 * connection.
 */
final class Transport {
    /** A whole answer. */
    static final class Response {
        final int status;
        final byte[] body;
        final HttpHeaders headers;

        Response(int status, byte[] body, HttpHeaders headers) {
            this.status = status;
            this.body = body;
            this.headers = headers;
        }

        JsonNode json() {
            return Json.parse(body);
        }
    }

    private final ClientConfig config;
    private final HttpClient http;

    Transport(ClientConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .build();
    }

    ClientConfig config() {
        return config;
    }

    /** A control-plane request: the API key, JSON, the request timeout. */
    HttpRequest.Builder control(String pathAndQuery) {
        return HttpRequest.newBuilder(config.uri(pathAndQuery))
                .timeout(config.requestTimeout())
                .header("X-API-Key", config.apiKey())
                .header("Accept", "application/json")
                .header("User-Agent", "airlock-java-sdk");
    }

    /** A control-plane request with a JSON body. */
    static HttpRequest.Builder withJson(HttpRequest.Builder b, String method, JsonNode body) {
        return b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
    }

    /** Sends a request and reads the whole answer, whatever its status. */
    Response send(HttpRequest request, String what) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw Errors.io(e, what, config.requestTimeout());
        } catch (InterruptedException e) {
            throw Errors.interrupted(e, what);
        }
    }

    /** Sends a request and returns the answer if its status is 2xx; else the error it states. */
    Response expect(HttpRequest request, String what, boolean dataPlane) {
        Response r = send(request, what);
        if (r.status >= 300) {
            throw Errors.of(r.status, r.json(), what, dataPlane);
        }
        return r;
    }

    /** Sends a request whose answer is read as a stream; error answers are read whole and thrown. */
    InputStream stream(HttpRequest request, String what, boolean dataPlane) {
        HttpResponse<InputStream> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw Errors.io(e, what, config.requestTimeout());
        } catch (InterruptedException e) {
            throw Errors.interrupted(e, what);
        }
        if (r.statusCode() >= 300) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw Errors.of(r.statusCode(), Json.parse(body), what, dataPlane);
        }
        return r.body();
    }
}
