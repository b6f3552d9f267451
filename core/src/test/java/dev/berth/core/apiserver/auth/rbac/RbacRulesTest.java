package dev.berth.core.apiserver.auth.rbac;

import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.rbac.RbacRules.Attributes;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RbacRulesTest {
    private static PolicyRule rule(List<String> groups, List<String> resources, List<String> names, List<String> verbs) {
        return RbacRules.rule(groups, resources, names, List.of(), verbs);
    }

    private static Attributes req(String method, String path) {
        return Attributes.of(RequestInfo.parse(method, path, false));
    }

    @Test
    void matchesVerbGroupAndResourceOfTheRequest() {
        PolicyRule r = rule(List.of("apps"), List.of("deployments"), List.of(), List.of("get", "list"));
        assertThat(RbacRules.allows(req("GET", "/apis/apps/v1/namespaces/d/deployments"), r)).isTrue();
        assertThat(RbacRules.allows(req("GET", "/apis/apps/v1/namespaces/d/deployments/web"), r)).isTrue();
        assertThat(RbacRules.allows(req("DELETE", "/apis/apps/v1/namespaces/d/deployments/web"), r)).isFalse();
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/pods"), r)).isFalse();
        assertThat(RbacRules.allows(req("GET", "/apis/batch/v1/namespaces/d/deployments"), r)).isFalse();
    }

    @Test
    void aSubresourceNeedsItsOwnEntryOrAStarPrefix() {
        PolicyRule pods = rule(List.of(""), List.of("pods"), List.of(), List.of("get"));
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/pods/p/log"), pods)).isFalse();
        PolicyRule log = rule(List.of(""), List.of("pods/log"), List.of(), List.of("get"));
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/pods/p/log"), log)).isTrue();
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/pods/p"), log)).isFalse();
        PolicyRule anyScale = rule(List.of("*"), List.of("*/scale"), List.of(), List.of("*"));
        assertThat(RbacRules.allows(req("PATCH", "/apis/apps/v1/namespaces/d/deployments/web/scale"), anyScale)).isTrue();
        assertThat(RbacRules.allows(req("PATCH", "/apis/apps/v1/namespaces/d/deployments/web"), anyScale)).isFalse();
        PolicyRule all = rule(List.of("*"), List.of("*"), List.of(), List.of("*"));
        assertThat(RbacRules.allows(req("POST", "/api/v1/namespaces/d/pods/p/exec"), all)).isTrue();
    }

    @Test
    void resourceNamesLimitToNamedObjectsAndNeverMatchCollections() {
        PolicyRule r = rule(List.of(""), List.of("configmaps"), List.of("settings"), List.of("get", "list"));
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/configmaps/settings"), r)).isTrue();
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/configmaps/other"), r)).isFalse();
        assertThat(RbacRules.allows(req("GET", "/api/v1/namespaces/d/configmaps"), r)).isFalse();
    }

    @Test
    void nonResourceUrlsMatchExactlyOrByStarSuffix() {
        PolicyRule r = RbacRules.rule(List.of(), List.of(), List.of(), List.of("/healthz", "/apis/*"), List.of("get"));
        assertThat(RbacRules.allows(Attributes.nonResource("get", "/healthz"), r)).isTrue();
        assertThat(RbacRules.allows(Attributes.nonResource("get", "/healthz/etcd"), r)).isFalse();
        assertThat(RbacRules.allows(Attributes.nonResource("get", "/apis/apps"), r)).isTrue();
        assertThat(RbacRules.allows(Attributes.nonResource("post", "/apis/apps"), r)).isFalse();
        assertThat(RbacRules.allows(req("GET", "/apis"), r)).isFalse();
    }

    @Test
    void coveringBreaksRulesDownAndNamesWhatIsMissing() {
        List<PolicyRule> owner = List.of(rule(List.of(""), List.of("pods", "*/status"), List.of(), List.of("get", "list")),
                rule(List.of(""), List.of("secrets"), List.of("one"), List.of("get")));
        List<PolicyRule> missing = RbacRules.uncovered(owner, List.of(
                rule(List.of(""), List.of("pods", "pods/status", "pods/log"), List.of(), List.of("get", "create")),
                rule(List.of(""), List.of("secrets"), List.of("one"), List.of("get")),
                rule(List.of(""), List.of("secrets"), List.of(), List.of("get"))));
        assertThat(missing.stream().map(RbacRules::compact)).containsExactly(
                "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"create\"]}",
                "{APIGroups:[\"\"], Resources:[\"pods/status\"], Verbs:[\"create\"]}",
                "{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"get\"]}",
                "{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"create\"]}",
                "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}");
        assertThat(RbacRules.uncovered(List.of(rule(List.of("*"), List.of("*"), List.of(), List.of("*"))),
                List.of(rule(List.of("apps"), List.of("deployments"), List.of("x"), List.of("delete"))))).isEmpty();
    }
}
