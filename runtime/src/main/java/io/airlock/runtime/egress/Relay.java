package io.airlock.runtime.egress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

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
    private final AtomicLong out = new AtomicLong();
    private final AtomicLong in = new AtomicLong();

    Relay(EgressProxy proxy, Socket down, Socket up) {
        this.proxy = proxy;
        this.down = down;
        this.up = up;
    }

    long bytesOut() {
        return out.get();
    }

    long bytesIn() {
        return in.get();
    }

    /** Relays until both directions end; {@code prefix} (bytes already read from the sandbox) goes first. */
    void run(byte[] prefix) throws IOException {
        proxy.opened(this);
        try {
            if (prefix.length > 0) {
                if (!proxy.charge(prefix.length)) {
                    return;
                }
                up.getOutputStream().write(prefix);
                out.addAndGet(prefix.length);
            }
            Thread back = Thread.ofVirtual().name("egress-relay").start(() -> copy(up, down, in));
            copy(down, up, out);
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

    private void copy(Socket from, Socket to, AtomicLong counter) {
        byte[] buf = new byte[CHUNK];
        try {
            InputStream src = from.getInputStream();
            OutputStream dst = to.getOutputStream();
            int n;
            while ((n = src.read(buf)) >= 0) {
                if (!proxy.charge(n)) {
                    abort();
                    return;
                }
                dst.write(buf, 0, n);
                counter.addAndGet(n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            abort();
        }
    }
}
