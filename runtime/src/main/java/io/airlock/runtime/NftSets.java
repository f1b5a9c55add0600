package io.airlock.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the drop-recording sets of {@link SandboxNetwork}'s table from {@code nft -j} output. */
final class NftSets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NftSets() {}

    /** The packet count of the named counter, 0 if it is not in the listing. */
    static long counter(String nftJson, String name) {
        try {
            for (JsonNode item : JSON.readTree(nftJson).path("nftables")) {
                JsonNode c = item.path("counter");
                if (name.equals(c.path("name").asText(null))) {
                    return c.path("packets").asLong(0);
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailureException("nft printed JSON that does not parse: " + e.getMessage());
        }
        return 0;
    }

    /** Every element of the sets udp4, udp6 (address, port) and other4, other6 (address, protocol name). */
    static List<SandboxNetwork.Dropped> dropped(String nftJson) {
        JsonNode root;
        try {
            root = JSON.readTree(nftJson);
        } catch (IOException e) {
            throw new RuntimeFailureException("nft printed JSON that does not parse: " + e.getMessage());
        }
        List<SandboxNetwork.Dropped> out = new ArrayList<>();
        for (JsonNode item : root.path("nftables")) {
            JsonNode set = item.path("set");
            String name = set.path("name").asText("");
            boolean udp = name.startsWith("udp");
            if (!udp && !name.startsWith("other")) {
                continue;
            }
            for (JsonNode elem : set.path("elem")) {
                JsonNode concat = elem.path("concat");
                if (concat.size() != 2) {
                    continue;
                }
                String address = concat.get(0).asText();
                out.add(udp
                        ? new SandboxNetwork.Dropped("udp", address, concat.get(1).asInt())
                        : new SandboxNetwork.Dropped(concat.get(1).asText(), address, 0));
            }
        }
        return out;
    }
}
