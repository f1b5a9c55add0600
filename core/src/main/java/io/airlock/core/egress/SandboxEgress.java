package io.airlock.core.egress;

/**
 * The enforcement of one sandbox's egress policy, as the runtime provides it: an interception
 * path that only Airlock's proxy and resolver sit on.
 */
public interface SandboxEgress extends AutoCloseable {
    /**
     * Replaces the policy atomically: new connections and DNS questions are judged by it;
     * connections already open keep going.
     */
    void apply(EgressPolicy policy);

    /**
     * The proxy's URL as seen from inside the sandbox, for {@code HTTP(S)_PROXY}: only the
     * runtime knows where it put it.
     */
    String proxyUrl();

    /** The policy in force. */
    EgressPolicy policy();

    /** Records what the kernel dropped since the last flush (UDP, ICMP and other non-TCP traffic). */
    void flush();

    /** Ends every proxied connection and stops the proxy and resolver; flushes first. Idempotent. */
    @Override
    void close();
}
