package dev.berth.core.scheduler.plugins;

import dev.berth.core.scheduler.SchedulerCache;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.interpodaffinity.InterPodAffinity;
import dev.berth.core.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** InterPodAffinity and PodTopologySpread against a scheduler cache holding placed pods. */
class TopologyPluginsTest {
    SchedulerCache cache;

    static Node node(String name, String zone) {
        return new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("kubernetes.io/hostname", name, "zone", zone)).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withAllocatable(Map.of("cpu", new Quantity("4"),
                        "memory", new Quantity("8Gi"), "pods", new Quantity("110"))).endStatus().build();
    }

    static PodBuilder pod(String name, String app) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("c").endContainer().endSpec();
    }

    void place(Pod pod, String node) {
        cache.addOrUpdatePod(new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build());
    }

    @BeforeEach
    void cluster() {
        cache = new SchedulerCache();
        cache.addOrUpdateNode(node("a1", "a"));
        cache.addOrUpdateNode(node("a2", "a"));
        cache.addOrUpdateNode(node("b1", "b"));
    }

    Status filter(dev.berth.core.scheduler.framework.PreFilterPlugin plugin, Pod pod, String node) {
        CycleState state = new CycleState();
        PodInfo info = PodInfo.of(pod);
        assertThat(plugin.preFilter(state, info, cache).isSuccess()).isTrue();
        return ((dev.berth.core.scheduler.framework.FilterPlugin) plugin).filter(state, info, cache.node(node));
    }

    static Pod antiAffine(String name, String app, String topologyKey) {
        return pod(name, app).editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build())
                .withTopologyKey(topologyKey).endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity().endSpec().build();
    }

    @Test
    void antiAffinityKeepsReplicasApartPerTopologyDomain() {
        place(pod("db-0", "db").build(), "a1");
        InterPodAffinity plugin = InterPodAffinity.create();
        Pod zoneAnti = antiAffine("db-1", "db", "zone");
        assertThat(filter(plugin, zoneAnti, "a2").reasons()).containsExactly(InterPodAffinity.ERR_REASON_ANTI_AFFINITY);
        assertThat(filter(plugin, zoneAnti, "b1").isSuccess()).isTrue();
        Pod hostAnti = antiAffine("db-1", "db", "kubernetes.io/hostname");
        assertThat(filter(plugin, hostAnti, "a2").isSuccess()).isTrue();
    }

    @Test
    void placedPodsAntiAffinityRejectsPodsTheySelect() {
        place(antiAffine("lonely", "web", "zone"), "a1");
        InterPodAffinity plugin = InterPodAffinity.create();
        assertThat(filter(plugin, pod("web-1", "web").build(), "a2").reasons())
                .containsExactly(InterPodAffinity.ERR_REASON_EXISTING_ANTI_AFFINITY);
        assertThat(filter(plugin, pod("other", "api").build(), "a2").isSuccess()).isTrue();
    }

    @Test
    void affinityNeedsAMatchingPodInTheDomainUnlessThePodIsTheFirstOfItsGroup() {
        Pod follower = pod("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "cache").build())
                .withTopologyKey("zone").endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity().endSpec().build();
        InterPodAffinity plugin = InterPodAffinity.create();
        assertThat(filter(plugin, follower, "a1").code()).isEqualTo(dev.berth.core.scheduler.framework.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        place(pod("cache", "cache").build(), "a2");
        assertThat(filter(plugin, follower, "a1").isSuccess()).isTrue();
        assertThat(filter(plugin, follower, "b1").reasons()).containsExactly(InterPodAffinity.ERR_REASON_AFFINITY);

        cache.removePod("ns/cache");
        Pod selfSelecting = pod("first", "cache").editSpec().withAffinity(follower.getSpec().getAffinity()).endSpec().build();
        assertThat(filter(plugin, selfSelecting, "b1").isSuccess()).isTrue();
    }

    static Pod spread(String name, String when, int maxSkew, Integer minDomains) {
        return pod(name, "web").editSpec().addNewTopologySpreadConstraint().withMaxSkew(maxSkew).withTopologyKey("zone")
                .withWhenUnsatisfiable(when).withMinDomains(minDomains)
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build())
                .endTopologySpreadConstraint().endSpec().build();
    }

    @Test
    void topologySpreadRejectsDomainsThatWouldExceedMaxSkew() {
        place(pod("w0", "web").build(), "a1");
        PodTopologySpread plugin = PodTopologySpread.create();
        Pod next = spread("w1", PodTopologySpread.DO_NOT_SCHEDULE, 1, null);
        assertThat(filter(plugin, next, "a2").reasons()).containsExactly(PodTopologySpread.ERR_REASON_CONSTRAINTS_NOT_MATCH);
        assertThat(filter(plugin, next, "b1").isSuccess()).isTrue();
        // pods of another app and other namespaces do not count
        place(pod("api", "api").build(), "b1");
        assertThat(filter(plugin, next, "b1").isSuccess()).isTrue();
    }

    @Test
    void minDomainsTreatsMissingDomainsAsEmpty() {
        place(pod("w0", "web").build(), "b1");
        PodTopologySpread plugin = PodTopologySpread.create();
        // two zones exist, three wanted: the global minimum is 0, so zone a may take one but b no second
        Pod next = spread("w1", PodTopologySpread.DO_NOT_SCHEDULE, 1, 3);
        assertThat(filter(plugin, next, "b1").isSuccess()).isFalse();
        assertThat(filter(plugin, next, "a1").isSuccess()).isTrue();
        place(pod("w2", "web").build(), "a1");
        assertThat(filter(plugin, next, "a2").isSuccess()).isFalse();
    }

    @Test
    void nodesWithoutTheTopologyKeyCannotTakeAConstrainedPod() {
        cache.addOrUpdateNode(new NodeBuilder(node("bare", "x")).editMetadata().withLabels(Map.of()).endMetadata().build());
        Status s = filter(PodTopologySpread.create(), spread("w", PodTopologySpread.DO_NOT_SCHEDULE, 1, null), "bare");
        assertThat(s.reasons()).containsExactly(PodTopologySpread.ERR_REASON_NODE_LABEL_NOT_MATCH);
    }

    @Test
    void scheduleAnywayScoresEmptierDomainsHigher() {
        place(pod("w0", "web").build(), "a1");
        place(pod("w1", "web").build(), "a2");
        PodTopologySpread plugin = PodTopologySpread.create();
        Pod next = spread("w2", PodTopologySpread.SCHEDULE_ANYWAY, 1, null);
        CycleState state = new CycleState();
        PodInfo info = PodInfo.of(next);
        plugin.preScore(state, info, cache.nodes(), cache);
        long[] scores = {plugin.score(state, info, cache.node("a1")), plugin.score(state, info, cache.node("b1"))};
        plugin.normalize(state, info, scores);
        assertThat(scores[1]).isEqualTo(100);
        assertThat(scores[0]).isLessThan(scores[1]);
        // a filter never rejects for a ScheduleAnyway constraint
        assertThat(filter(plugin, next, "a1").isSuccess()).isTrue();
    }

    @Test
    void preferredAffinityScoresTheDomainOfMatchingPods() {
        place(pod("cache", "cache").build(), "b1");
        Pod pod = pod("web", "web").editSpec().withNewAffinity().withNewPodAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(50).withNewPodAffinityTerm()
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "cache").build())
                .withTopologyKey("zone").endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity().endSpec().build();
        InterPodAffinity plugin = InterPodAffinity.create();
        CycleState state = new CycleState();
        PodInfo info = PodInfo.of(pod);
        plugin.preScore(state, info, cache.nodes(), cache);
        long[] scores = {plugin.score(state, info, cache.node("a1")), plugin.score(state, info, cache.node("b1"))};
        plugin.normalize(state, info, scores);
        assertThat(scores).containsExactly(0, 100);
    }
}
