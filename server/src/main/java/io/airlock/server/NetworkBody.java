package io.airlock.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.egress.NetworkRules;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * E2B's network fields ({@code allow_internet_access} and the {@code network} object of
 * {@code POST /sandboxes}, the body of {@code PUT /sandboxes/{id}/network}; the same {@code network}
 * object in {@code POST /v1/sandboxes}) read into
 * {@link NetworkRules}. Airlock adds {@code learn} ("allow within the ceilings, record
 * everything"). Header-injection {@code rules} and a bring-your-own {@code egressProxy} are refused
 * by name rather than ignored; {@code allowPublicTraffic} and {@code maskRequestHost} are accepted
 * and mean nothing here, because nothing from outside can ever connect into a sandbox.
 */
public final class NetworkBody {
    private static final Set<String> FIELDS = Set.of("allowOut", "denyOut", "allowPublicTraffic", "maskRequestHost", "rules",
            "egressProxy", "learn", "allow_internet_access");

    private NetworkBody() {}

    /** The rules of a create request; {@code network} may be absent or null. */
    public static NetworkRules parse(@Nullable Boolean allowInternetAccess, @Nullable JsonNode network, String field) {
        if (network == null || network.isNull()) {
            return NetworkRules.of(allowInternetAccess, List.of(), List.of(), false);
        }
        if (!network.isObject()) {
            throw new InvalidRequestException(field, "must be an object with allowOut and denyOut arrays");
        }
        for (Iterator<String> names = network.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidRequestException(field + "." + name, "unknown field; known: allowOut, denyOut, learn, allowPublicTraffic");
            }
        }
        JsonNode rules = network.get("rules");
        if (rules != null && !rules.isNull() && !rules.isEmpty()) {
            throw new InvalidRequestException(field + ".rules", "header-injection rules are not supported; leave rules unset");
        }
        JsonNode proxy = network.get("egressProxy");
        if (proxy != null && !proxy.isNull()) {
            throw new InvalidRequestException(field + ".egressProxy", "a bring-your-own egress proxy is not supported; leave egressProxy unset");
        }
        JsonNode learn = network.get("learn");
        if (learn != null && !learn.isNull() && !learn.isBoolean()) {
            throw new InvalidRequestException(field + ".learn", "must be true or false");
        }
        Boolean access = allowInternetAccess;
        JsonNode inline = network.get("allow_internet_access");
        if (inline != null && !inline.isNull()) {
            if (!inline.isBoolean()) {
                throw new InvalidRequestException(field + ".allow_internet_access", "must be true or false");
            }
            access = inline.asBoolean();
        }
        return NetworkRules.of(access, strings(network, "allowOut", field), strings(network, "denyOut", field),
                learn != null && learn.asBoolean(false));
    }

    private static List<String> strings(JsonNode network, String name, String field) {
        JsonNode a = network.get(name);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new InvalidRequestException(field + "." + name, "must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) {
                throw new InvalidRequestException(field + "." + name + "[" + i + "]", "must be a string: an IP, a CIDR or a domain");
            }
            out.add(a.get(i).asText());
        }
        return out;
    }
}
