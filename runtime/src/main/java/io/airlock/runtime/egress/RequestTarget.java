package io.airlock.runtime.egress;

import java.util.Optional;

/**
 * Sorts a request-target into its RFC 9112 section 3.2 form and pulls out the destination of the
 * two forms that carry one. Only {@code http:} absolute URIs are accepted: a client that wants
 * TLS through the proxy uses CONNECT.
 */
final class RequestTarget {
    private static final String HTTP = "http://";
    private static final int DEFAULT_PORT = 80;

    private RequestTarget() {}

    static Head.Request classify(
            String method, String target, String version, Optional<Authority> host, int headLength) {
        Head.Form form;
        Optional<Authority> dest = Optional.empty();
        if (method.equals("CONNECT")) {
            form = Head.Form.AUTHORITY;
            dest = Optional.of(Authority.parse(target, true, "CONNECT target"));
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw new WireException("asterisk-form target with method " + Printable.quote(method) + ", not OPTIONS");
            }
            form = Head.Form.ASTERISK;
        } else if (target.charAt(0) == '/') {
            form = Head.Form.ORIGIN;
        } else if (target.regionMatches(true, 0, HTTP, 0, HTTP.length())) {
            form = Head.Form.ABSOLUTE;
            dest = Optional.of(absolute(target));
        } else {
            throw new WireException("request-target is not origin-form, http absolute-form, '*' or a CONNECT "
                    + "authority: " + Printable.quote(target));
        }
        if (dest.isPresent() && host.isPresent() && !dest.get().host().equals(host.get().host())) {
            throw new WireException("Host header " + Printable.quote(host.get().host()) + " names another host than "
                    + "the target " + Printable.quote(dest.get().host()));
        }
        return new Head.Request(
                method,
                target,
                version,
                host.flatMap(Authority::name),
                host.map(Authority::port).orElse(-1),
                headLength,
                form,
                host.flatMap(Authority::address),
                dest.flatMap(Authority::name),
                dest.flatMap(Authority::address),
                dest.map(Authority::port).orElse(-1));
    }

    private static Authority absolute(String target) {
        int start = HTTP.length();
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        Authority a = Authority.parse(target.substring(start, end), false, "absolute-form target");
        return a.port() == -1 ? new Authority(a.name(), a.address(), DEFAULT_PORT) : a;
    }
}
