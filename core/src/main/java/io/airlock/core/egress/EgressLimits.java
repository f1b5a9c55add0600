package io.airlock.core.egress;

import java.time.Duration;

/**
 * Per-sandbox bounds of the egress proxy.
 *
 * @param maxConnections open proxied connections at once; more are refused and recorded
 * @param byteQuota bytes in both directions over the sandbox's life; reaching it ends every
 *     connection and refuses new ones
 * @param handshakeTimeout how long a new connection may take to send its Host header or TLS
 *     ClientHello
 * @param connectTimeout how long dialling the destination may take
 */
public record EgressLimits(int maxConnections, long byteQuota, Duration handshakeTimeout, Duration connectTimeout) {
    /** 64 connections, 1 GiB, 10 s to the first request bytes, 10 s to connect. */
    public static final EgressLimits DEFAULTS = new EgressLimits(64, 1L << 30, Duration.ofSeconds(10), Duration.ofSeconds(10));

    public EgressLimits {
        if (maxConnections < 1 || byteQuota < 1) {
            throw new IllegalArgumentException("egress limits must be positive: maxConnections=" + maxConnections
                    + ", byteQuota=" + byteQuota);
        }
    }
}
