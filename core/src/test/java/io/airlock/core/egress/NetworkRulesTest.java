package io.airlock.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkRulesTest {
    @Test
    void of_nulls_areE2bDefaults() {
        assertThat(NetworkRules.of(null, null, null, false)).isEqualTo(NetworkRules.DEFAULT);
        assertThat(NetworkRules.DEFAULT.allowInternetAccess()).isTrue();
        assertThat(NetworkRules.DEFAULT.deniesAll()).isFalse();
    }

    @Test
    void of_domainInDenyOut_is400OnThatEntry() {
        assertThatThrownBy(() -> NetworkRules.of(true, null, List.of("0.0.0.0/0", "evil.test"), false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.denyOut[1]: ")
                .hasMessageContaining("denyOut takes only IP addresses and CIDRs; put names in allowOut");
        assertThatThrownBy(() -> NetworkRules.of(true, null, List.of("*.evil.test"), false))
                .hasMessageStartingWith("network.denyOut[0]: ");
    }

    @Test
    void of_starInDenyOut_pointsToAllTraffic() {
        assertThatThrownBy(() -> NetworkRules.of(true, null, List.of("*"), false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.denyOut[0]: ")
                .hasMessageContaining("0.0.0.0/0");
    }

    @Test
    void of_domainsInAllowOutWithoutDenyAll_is400() {
        assertThatThrownBy(() -> NetworkRules.of(null, List.of("a.test"), List.of("198.51.100.0/24"), false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.allowOut: ")
                .hasMessageContaining("allowOut with domains requires denyOut to contain 0.0.0.0/0 (ALL_TRAFFIC), as in E2B");
    }

    @Test
    void of_domainsInAllowOut_acceptedWithDenyAllOrNoInternet() {
        NetworkRules a = NetworkRules.of(true, List.of("a.test"), List.of("0.0.0.0/0"), false);
        assertThat(a.allowOut().texts()).containsExactly("a.test");
        assertThat(a.deniesAll()).isTrue();
        NetworkRules b = NetworkRules.of(false, List.of("*.a.test"), null, false);
        assertThat(b.allowInternetAccess()).isFalse();
        assertThat(b.deniesAll()).isTrue();
    }

    @Test
    void of_addressesInAllowOut_needNoDenyAll() {
        NetworkRules r = NetworkRules.of(true, List.of("203.0.113.0/24"), List.of("198.51.100.0/24"), true);
        assertThat(r.allowOut().texts()).containsExactly("203.0.113.0/24");
        assertThat(r.denyOut().texts()).containsExactly("198.51.100.0/24");
        assertThat(r.learn()).isTrue();
        assertThat(r.deniesAll()).isFalse();
    }

    @Test
    void of_badAllowOutEntry_namesIndex() {
        assertThatThrownBy(() -> NetworkRules.of(true, List.of("203.0.113.0/24", "10.0.0.0/40"), null, false))
                .hasMessageStartingWith("network.allowOut[1]: ");
    }
}
