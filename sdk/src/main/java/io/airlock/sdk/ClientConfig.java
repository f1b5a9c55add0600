package io.airlock.sdk;

import java.net.URI;
import java.time.Duration;

/** A client's settings, validated: the server's base URL (no trailing slash), the API key, the request timeout. */
record ClientConfig(String baseUrl, String apiKey, Duration requestTimeout) {
    static ClientConfig of(String url, String apiKey, Duration requestTimeout) {
        String base = url.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("url '" + url + "' is not a URL; use e.g. http://127.0.0.1:8700", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("url '" + url + "' must be an http(s) URL such as http://127.0.0.1:8700");
        }
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is blank; pass the key Airlock issued (e2b_…)");
        }
        String key = apiKey.trim();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                // never echo the key: an error message ends up in logs and terminals
                throw new IllegalArgumentException("apiKey has a character an HTTP header cannot carry at position " + (i + 1)
                        + " (U+" + String.format("%04X", (int) c) + "); copy the key again");
            }
        }
        return new ClientConfig(base, key, requestTimeout);
    }

    /** Without the key. */
    @Override
    public String toString() {
        return "ClientConfig[baseUrl=" + baseUrl + ", apiKey=(" + apiKey.length() + " chars), requestTimeout=" + requestTimeout + "]";
    }

    URI uri(String pathAndQuery) {
        return URI.create(baseUrl + pathAndQuery);
    }
}
