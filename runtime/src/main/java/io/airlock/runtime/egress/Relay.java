package io.airlock.runtime.egress;

import io.airlock.core.egress.Decision;
import io.airlock.core.egress.EgressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Copies bytes both ways between a sandbox's connection and its destination until both sides
 * are done, counting each direction against the sandbox's byte quota. The sandbox-to-destination
 * half runs on the caller's thread, the other half on a virtual thread of its own.
 */
final class Relay {
    private static final int CHUNK = 16 * 1024;

    private final EgressProxy proxy;
    private final Socket down;
    private final Socket up;
    private final @Nullable String name;
    private final InetAddress address;
    private final int port;
    private volatile String endReason = "closed";
    private final AtomicLong out = new AtomicLong();
    private final AtomicLong in = new AtomicLong();

    Relay(EgressProxy proxy, Socket down, Socket up, @Nullable String name, InetAddress address, int port) {
        this.proxy = proxy;
        this.down = down;
        this.up = up;
        this.name = name;
        this.address = address;
        this.port = port;
    }

    /** Ends the relay if {@code policy} no longer allows its destination; returns whether it did. */
    boolean endIfRefused(EgressPolicy policy) {
        Decision d = policy.decide(name, address, port);
        if (d.allowed()) {
            return false;
        }
        endReason = "closed: the new policy refuses it (" + d.reason() + ")";
        abort();
        return true;
    }

    /** Why the relay ended, for the audit. */
    String endReason() {
        return endReason;
    }

    long bytesOut() {
        return out.get();
    }

    long bytesIn() {
        return in.get();
    }

    /**
     * Relays until both directions end; {@code prefix} (bytes already read from the sandbox) goes
     * first. At most {@code upLimit} more bytes go from the sandbox to the destination (the rest is
     * read and discarded), or all of them if it is {@link OneRequest#UNFRAMED}.
     */
    void run(byte[] prefix, long upLimit) throws IOException {
        proxy.opened(this);
        try {
            if (prefix.length > 0) {
                if (!proxy.charge(prefix.length)) {
                    return;
                }
                up.getOutputStream().write(prefix);
                out.addAndGet(prefix.length);
            }
            Thread back = Thread.ofVirtual().name("egress-relay").start(() -> copy(up, down, in, OneRequest.UNFRAMED));
            copy(down, up, out, upLimit);
            try {
                back.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            proxy.closed(this);
        }
    }

    /** Ends both sockets; the copying threads see it and return. */
    void abort() {
        ProxyConnection.closeQuietly(down);
        ProxyConnection.closeQuietly(up);
    }

    private void copy(Socket from, Socket to, AtomicLong counter, long limit) {
        byte[] buf = new byte[CHUNK];
        long left = limit;
        try {
            InputStream src = from.getInputStream();
            OutputStream dst = to.getOutputStream();
            int n;
            while ((n = src.read(buf)) >= 0) {
                if (!proxy.charge(n)) {
                    abort();
                    return;
                }
                int forward = left == OneRequest.UNFRAMED ? n : (int) Math.min(n, left);
                if (forward > 0) {
                    dst.write(buf, 0, forward);
                    counter.addAndGet(forward);
                }
                if (left != OneRequest.UNFRAMED) {
                    left -= forward; // what follows the one request is read and dropped
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            abort();
        }
    }
}
