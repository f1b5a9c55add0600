package io.airlock.sdk;

/** The {@link AirlockClient} over HTTP. */
final class HttpAirlockClient implements AirlockClient {
    private final Transport transport;
    private final Sandboxes sandboxes;
    private final Secrets secrets;
    private final Workspaces workspaces;

    HttpAirlockClient(ClientConfig config) {
        this.transport = new Transport(config);
        this.sandboxes = new HttpSandboxes(transport);
        this.secrets = new HttpSecrets(transport);
        this.workspaces = new HttpWorkspaces(transport);
    }

    @Override
    public Secrets secrets() {
        return secrets;
    }

    @Override
    public Sandboxes sandboxes() {
        return sandboxes;
    }

    @Override
    public Workspaces workspaces() {
        return workspaces;
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
