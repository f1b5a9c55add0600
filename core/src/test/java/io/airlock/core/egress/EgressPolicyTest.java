package io.airlock.core.egress;

import static io.airlock.core.egress.EgressRuleTest.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    private static final BlockedAddresses BLOCKED = new BlockedAddresses(Set.of(addr("198.51.100.250")));
    private static final NetworkRules ONLY_A_TEST = NetworkRules.of(true, List.of("a.test"), List.of("0.0.0.0/0"), false);

    private static EgressRules rules(String... texts) {
        return EgressRules.parse("ceiling", List.of(texts));
    }

    private static EgressPolicy open(NetworkRules sandbox) {
        return EgressPolicy.of(EgressRules.ALL, EgressRules.ALL, sandbox, BLOCKED);
    }

    @Test
    void decide_default_allowsTheInternet() {
        Decision d = open(NetworkRules.DEFAULT).decide("a.test", addr("203.0.113.1"), 443);
        assertThat(d.allowed()).isTrue();
        assertThat(d.code()).isEqualTo(Decision.INTERNET_ACCESS);
        assertThat(d.reason()).isEqualTo("internet-access: a.test at 203.0.113.1");
    }

    @Test
    void decide_blockedEvenIfAllowOutListsIt_N09() {
        NetworkRules r = NetworkRules.of(false, List.of("10.0.0.0/8", "169.254.169.254", "*"), null, false);
        Decision d = open(r).decide(null, addr("169.254.169.254"), 80);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("blocked-range: 169.254.0.0/16 (link-local, cloud metadata)");
        assertThat(open(r).decide("metadata.test", addr("10.0.0.1"), 80).code()).isEqualTo(Decision.BLOCKED_RANGE);
    }

    @Test
    void decide_blockedEvenInLearnModeUnderStarCeiling_N10() {
        EgressPolicy p = open(NetworkRules.of(null, null, null, true));
        assertThat(p.decide("localhost.test", addr("127.0.0.1"), 22).code()).isEqualTo(Decision.BLOCKED_RANGE);
        assertThat(p.decide(null, addr("::1"), 22).code()).isEqualTo(Decision.BLOCKED_RANGE);
        assertThat(p.decide(null, addr("198.51.100.250"), 22).code()).isEqualTo(Decision.HOST_ADDRESS);
    }

    @Test
    void decide_mappedAndNat64FormsOfPrivateAreBlocked_N05() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        EgressPolicy p = open(NetworkRules.DEFAULT);
        assertThat(p.decide(null, Inet6Address.getByAddress(null, mapped, -1), 80).code()).isEqualTo(Decision.BLOCKED_RANGE);
        assertThat(p.decide(null, addr("64:ff9b::a00:1"), 80).code()).isEqualTo(Decision.BLOCKED_RANGE);
    }

    @Test
    void decide_allowOutCannotWidenOperatorCeiling() {
        EgressPolicy p = EgressPolicy.of(rules("*.corp.test"), EgressRules.ALL,
                NetworkRules.of(false, List.of("a.test", "203.0.113.0/24"), null, false), BLOCKED);
        Decision byName = p.decide("a.test", addr("203.0.113.1"), 443);
        assertThat(byName.allowed()).isFalse();
        assertThat(byName.reason()).isEqualTo("outside-operator-ceiling: a.test at 203.0.113.1");
        assertThat(p.decide(null, addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
        assertThat(p.decide("x.corp.test", addr("192.0.2.1"), 443).code()).isEqualTo(Decision.NO_INTERNET_ACCESS);
    }

    @Test
    void decide_allowOutCannotWidenTenantCeiling() {
        EgressPolicy p = EgressPolicy.of(EgressRules.ALL, rules("192.0.2.0/24"), NetworkRules.of(true, List.of("*"), null, false),
                BLOCKED);
        assertThat(p.decide("a.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_TENANT_CEILING);
        assertThat(p.decide("a.test", addr("192.0.2.9"), 443).code()).as("inside by address").isEqualTo(Decision.ALLOW_RULE);
    }

    @Test
    void decide_ceilingByNameCoversTheNamesAddress() {
        EgressPolicy p = EgressPolicy.of(rules("a.test"), EgressRules.ALL, NetworkRules.DEFAULT, BLOCKED);
        assertThat(p.decide("a.test", addr("203.0.113.1"), 443).allowed()).isTrue();
        assertThat(p.decide("b.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
        assertThat(p.decide(null, addr("203.0.113.1"), 443).code())
                .as("a name-less connection cannot claim a name ceiling").isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
    }

    @Test
    void decide_matchingTricksDoNotEscapeAllowOut_N07() {
        EgressPolicy p = open(NetworkRules.of(true, List.of("a.test", "*.b.test"), List.of("0.0.0.0/0"), false));
        for (String name : new String[] {"a.test.evil", "evila.test", "b.test", "evilb.test", "x.b.test.evil"}) {
            assertThat(p.decide(name, addr("203.0.113.1"), 443).code()).as(name).isEqualTo(Decision.DENY_RULE);
        }
        assertThat(p.decide("x.b.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.ALLOW_RULE);
        assertThatThrownBy(() -> p.decide("A.test", addr("203.0.113.1"), 443))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("normal form");
        assertThatThrownBy(() -> p.decide("a.test.", addr("203.0.113.1"), 443)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decide_allowBeatsDeny() {
        EgressPolicy p = open(NetworkRules.of(true, List.of("203.0.113.7"), List.of("203.0.113.0/24"), false));
        Decision allowed = p.decide(null, addr("203.0.113.7"), 443);
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.reason()).isEqualTo("allow-rule: 203.0.113.7");
        Decision denied = p.decide(null, addr("203.0.113.8"), 443);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.reason()).isEqualTo("deny-rule: 203.0.113.0/24");
        assertThat(p.decide(null, addr("192.0.2.1"), 443).code()).isEqualTo(Decision.INTERNET_ACCESS);
    }

    @Test
    void decide_domainAllowedOnlyUnderDenyAll() {
        EgressPolicy p = open(ONLY_A_TEST);
        assertThat(p.decide("a.test", addr("203.0.113.1"), 443).reason()).isEqualTo("allow-rule: a.test");
        assertThat(p.decide("b.test", addr("203.0.113.1"), 443).reason()).isEqualTo("deny-rule: 0.0.0.0/0");
        assertThat(p.decide(null, addr("2001:db8::1"), 443).reason())
                .as("ALL_TRAFFIC covers IPv6 too").isEqualTo("deny-rule: 0.0.0.0/0 (ALL_TRAFFIC)");
    }

    @Test
    void decide_noInternetAccess_deniesAllButAllowOut() {
        EgressPolicy p = open(NetworkRules.of(false, List.of("192.0.2.0/24"), null, false));
        assertThat(p.decide(null, addr("192.0.2.5"), 443).code()).isEqualTo(Decision.ALLOW_RULE);
        assertThat(p.decide(null, addr("203.0.113.5"), 443).code()).isEqualTo(Decision.NO_INTERNET_ACCESS);
        assertThat(p.decide(null, addr("2001:db8::5"), 443).code()).isEqualTo(Decision.NO_INTERNET_ACCESS);
        assertThat(p.decideName("a.test").code()).isEqualTo(Decision.NO_INTERNET_ACCESS);
    }

    @Test
    void decide_learn_allowsInsideCeilingsOnly() {
        NetworkRules learn = NetworkRules.of(false, null, null, true);
        EgressPolicy p = EgressPolicy.of(rules("*.ok.test", "192.0.2.0/24"), EgressRules.ALL, learn, BLOCKED);
        assertThat(p.decide("x.ok.test", addr("203.0.113.1"), 443).reason()).isEqualTo("learn: x.ok.test at 203.0.113.1");
        assertThat(p.decide(null, addr("192.0.2.1"), 443).code()).isEqualTo(Decision.LEARN);
        assertThat(p.decide("x.bad.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
        assertThat(p.decide(null, addr("10.0.0.1"), 443).code()).isEqualTo(Decision.BLOCKED_RANGE);
    }

    @Test
    void decideName_judgesNameBeforeResolution() {
        EgressPolicy p = open(ONLY_A_TEST);
        assertThat(p.decideName("a.test").allowed()).isTrue();
        assertThat(p.decideName("b.test").allowed()).as("no DNS leak under deny-all").isFalse();
        assertThat(open(NetworkRules.DEFAULT).decideName("b.test").allowed()).isTrue();
        NetworkRules partialDeny = NetworkRules.of(true, null, List.of("203.0.113.0/24"), false);
        assertThat(open(partialDeny).decideName("b.test").allowed()).as("may resolve elsewhere").isTrue();
    }

    @Test
    void decideName_ceilingOfAddressesDefersToTheResolvedAddress() {
        EgressPolicy p = EgressPolicy.of(rules("0.0.0.0/0", "::/0"), rules("*.corp.test"), NetworkRules.DEFAULT, BLOCKED);
        assertThat(p.decideName("x.corp.test").allowed()).isTrue();
        assertThat(p.decideName("x.other.test").code()).isEqualTo(Decision.OUTSIDE_TENANT_CEILING);
    }

    @Test
    void opensAnything_onlyWhenCeilingsAndRulesLetSomethingOut() {
        assertThat(open(NetworkRules.DEFAULT).opensAnything()).isTrue();
        assertThat(open(ONLY_A_TEST).opensAnything()).isTrue();
        assertThat(open(NetworkRules.of(false, List.of(), List.of(), false)).opensAnything()).isFalse();
        assertThat(open(NetworkRules.of(true, List.of(), List.of("0.0.0.0/0"), false)).opensAnything()).isFalse();
        assertThat(open(NetworkRules.of(false, List.of(), List.of(), true)).opensAnything()).as("learn mode").isTrue();
        assertThat(EgressPolicy.of(EgressRules.NONE, rules("*"), NetworkRules.DEFAULT, BLOCKED).opensAnything()).isFalse();
    }

    @Test
    void decideName_ceilingOfSomeCidrsResolvesNoNames_N04() {
        // A ceiling of a few CIDRs must not turn DNS into a tunnel: the question alone reaches
        // whoever serves the name, before any address is judged.
        EgressPolicy p = EgressPolicy.of(rules("*.corp.test", "203.0.113.0/24"), rules("*"), NetworkRules.DEFAULT, BLOCKED);
        assertThat(p.decideName("x.corp.test").allowed()).isTrue();
        assertThat(p.decideName("c2vjcmv0.attacker.example").code()).isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
        assertThat(p.decide(null, addr("203.0.113.7"), 443).allowed()).as("the CIDR still works by address").isTrue();
    }

    @Test
    void decide_rejectsNeitherNameNorAddressAndBadPort() {
        EgressPolicy p = open(NetworkRules.DEFAULT);
        assertThatThrownBy(() -> p.decide(null, null, 443)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.decide("a.test", null, 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.decide("a.test", null, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reachable_falseWhenEitherCeilingIsEmpty() {
        assertThat(open(NetworkRules.DEFAULT).reachable()).isTrue();
        EgressPolicy closed = EgressPolicy.of(EgressRules.ALL, EgressRules.NONE, NetworkRules.DEFAULT, BLOCKED);
        assertThat(closed.reachable()).isFalse();
        assertThat(closed.decide("a.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_TENANT_CEILING);
        assertThat(EgressPolicy.of(EgressRules.NONE, EgressRules.ALL, NetworkRules.DEFAULT, BLOCKED).reachable()).isFalse();
    }

    @Test
    void withRules_replacesRulesButKeepsCeilings() {
        EgressPolicy before = EgressPolicy.of(rules("*.corp.test"), EgressRules.ALL, NetworkRules.DEFAULT, BLOCKED);
        EgressPolicy after = before.withRules(NetworkRules.of(true, List.of("*"), null, false));
        assertThat(before.rules()).isEqualTo(NetworkRules.DEFAULT);
        assertThat(after.rules().allowOut().texts()).containsExactly("*");
        assertThat(after.decide("a.test", addr("203.0.113.1"), 443).code()).isEqualTo(Decision.OUTSIDE_OPERATOR_CEILING);
        assertThat(after.decide(null, addr("10.0.0.1"), 443).code()).isEqualTo(Decision.BLOCKED_RANGE);
    }
}
