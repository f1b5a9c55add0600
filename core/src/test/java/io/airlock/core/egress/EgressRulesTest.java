package io.airlock.core.egress;

import static io.airlock.core.egress.EgressRuleTest.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressRulesTest {
    @Test
    void parse_keepsOrderNormalizesAndDropsDuplicates() {
        EgressRules r = EgressRules.parse("f", List.of("B.test", "10.1.0.0/16", "b.test.", "*.c.test", "10.1.9.9/16"));
        assertThat(r.texts()).containsExactly("b.test", "10.1.0.0/16", "*.c.test");
    }

    @Test
    void parse_badEntry_namesItsIndex() {
        assertThatThrownBy(() -> EgressRules.parse("network.allowOut", List.of("a.test", "b.test", "no way")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.allowOut[2]: ");
        assertThatThrownBy(() -> EgressRules.parse("network.allowOut", Arrays.asList("a.test", null)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.allowOut[1]: is null");
    }

    @Test
    void parse_limit256() {
        List<String> max = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            max.add("h" + i + ".test");
        }
        assertThat(EgressRules.parse("f", max).rules()).hasSize(256);
        max.add("one-more.test");
        assertThatThrownBy(() -> EgressRules.parse("network.allowOut", max))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("network.allowOut: has 257 entries; at most 256");
    }

    @Test
    void noneAndAll() {
        assertThat(EgressRules.NONE.isEmpty()).isTrue();
        assertThat(EgressRules.NONE.allowsName("a.test")).isFalse();
        assertThat(EgressRules.NONE.allowsAddress(addr("203.0.113.1"))).isFalse();
        assertThat(EgressRules.ALL.allowsName("a.test")).isTrue();
        assertThat(EgressRules.ALL.allowsAddress(addr("2001:db8::1"))).isTrue();
        assertThat(EgressRules.parse("f", List.of())).isEqualTo(EgressRules.NONE);
        assertThat(EgressRules.parse("f", List.of("*"))).isEqualTo(EgressRules.ALL);
    }

    @Test
    void allows_nameOrAddressByTheRightKindOfRule() {
        EgressRules r = EgressRules.parse("f", List.of("a.test", "*.b.test", "198.51.100.0/24", "2001:db8::/32"));
        assertThat(r.allowsName("a.test")).isTrue();
        assertThat(r.allowsName("x.b.test")).isTrue();
        assertThat(r.allowsName("b.test")).isFalse();
        assertThat(r.allowsAddress(addr("198.51.100.200"))).isTrue();
        assertThat(r.allowsAddress(addr("2001:db8::5"))).isTrue();
        assertThat(r.allowsAddress(addr("203.0.113.1"))).isFalse();
    }

    @Test
    void containsAllIpv4_onlyForWholeRangeOrStar() {
        assertThat(EgressRules.parse("f", List.of("0.0.0.0/0")).containsAllIpv4()).isTrue();
        assertThat(EgressRules.parse("f", List.of("1.2.3.4/0")).containsAllIpv4()).as("masked to 0.0.0.0/0").isTrue();
        assertThat(EgressRules.ALL.containsAllIpv4()).isTrue();
        assertThat(EgressRules.parse("f", List.of("0.0.0.0/1", "128.0.0.0/1")).containsAllIpv4()).isFalse();
        assertThat(EgressRules.parse("f", List.of("::/0")).containsAllIpv4()).isFalse();
        assertThat(EgressRules.NONE.containsAllIpv4()).isFalse();
    }

    @Test
    void rulesAndTexts_areImmutable() {
        EgressRules r = EgressRules.parse("f", List.of("a.test"));
        assertThatThrownBy(() -> r.texts().add("b.test")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.rules().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Collections.unmodifiableList(r.texts())).containsExactly("a.test");
    }
}
