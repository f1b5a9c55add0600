package io.airlock.sdk;

/** The {@link AirlockClient} over HTTP. */
final class HttpAirlockClient implements AirlockClient {
    private final Transport transport;
    private final Sandboxes sandboxes;

    HttpAirlockClient(ClientConfig config) {
        this.transport = new Transport(config);
        this.sandboxes = new HttpSandboxes(transport);
    }

    @Override
    public Sandboxes sandboxes() {
        return sandboxes;
    }

    @Override
    public String url() {
        return transport.config().baseUrl();
    }

    @Override
    public String toString() {
        return "AirlockClient[" + url() + "]";
    }
}
