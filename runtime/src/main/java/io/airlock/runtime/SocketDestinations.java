package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Where a connection that netfilter redirected to the egress proxy was really going:
 * {@code SO_ORIGINAL_DST} on the accepted socket (egress is IPv4 only).
 *
 * <p>The JDK has no public way to reach a channel's file descriptor, so this reads it through
 * {@code sun.nio.ch.SelChImpl.getFDVal()}; the JVM must run with
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (as {@code ./airlock} and the build do).
 * Without it, {@link #check()} says so at start-up rather than at the first connection.
 */
final class SocketDestinations {
    private static final int SOL_IP = 0;
    private static final int SO_ORIGINAL_DST = 80;
    private static final int AF_INET = 2;
    private static final Method FD_VAL = fdMethod();

    private SocketDestinations() {}

    /** Fails with a clear message if file descriptors of channels are out of reach. */
    static void check() {
        if (FD_VAL == null) {
            throw new RuntimeFailureException("egress needs the JVM flag --add-exports java.base/sun.nio.ch=ALL-UNNAMED "
                    + "(to read SO_ORIGINAL_DST of redirected connections); start the server with ./airlock");
        }
    }

    /** The destination {@code channel}'s peer originally connected to. */
    static InetSocketAddress original(SocketChannel channel) {
        check();
        int fd;
        try {
            fd = (int) FD_VAL.invoke(channel);
        } catch (ReflectiveOperationException e) {
            throw new RuntimeFailureException("cannot read the file descriptor of " + channel + ": " + e);
        }
        byte[] sa = ContainerSyscalls.getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, 16);
        int family = (sa[0] & 0xff) | (sa[1] & 0xff) << 8;
        int port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
        try {
            if (family == AF_INET && sa.length >= 8) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sa, 4, 8)), port);
            }
        } catch (UnknownHostException e) {
            // not reached: getByAddress only fails on a wrong length, checked above
        }
        throw new RuntimeFailureException("SO_ORIGINAL_DST returned family " + family + " with " + sa.length + " bytes");
    }

    private static Method fdMethod() {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
