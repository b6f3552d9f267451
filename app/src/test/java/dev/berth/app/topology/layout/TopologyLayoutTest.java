package dev.berth.app.topology.layout;

import dev.berth.app.topology.model.EdgeType;
import dev.berth.app.topology.model.ElementId;
import dev.berth.app.topology.model.Health;
import dev.berth.app.topology.model.Rollout;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TopologyLayoutTest {
    static TopologyElement element(String kind, String ns, String name, boolean owned) {
        GenericKubernetesResource o = new GenericKubernetesResource();
        ObjectMetaBuilder m = new ObjectMetaBuilder().withNamespace(ns).withName(name);
        if (owned) {
            m.addToOwnerReferences(new OwnerReferenceBuilder().withKind("Deployment").withName("x").withUid("u").withController(true).build());
        }
        o.setMetadata(m.build());
        Rollout r = kind.equals("ReplicaSet") ? new Rollout(3, 3, 3, 3, Rollout.Role.NEW) : null;
        return new TopologyElement(ElementId.of(kind, ns, name), false, Health.OK, "", null, r, o);
    }

    static TopologyLayout.Item item(TopologyElement e) {
        return new TopologyLayout.Item(e, Sizes.width(e, 3), Sizes.height(e, 3));
    }

    /** n apps: Ingress → Service → Deployment → ReplicaSet, plus a ConfigMap each. */
    static List<TopologyLayout.Item> apps(String ns, int n, List<TopologyEdge> edges) {
        List<TopologyLayout.Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String a = "app" + i;
            TopologyElement ing = element("Ingress", ns, a, false), svc = element("Service", ns, a, false),
                    dep = element("Deployment", ns, a, false), rs = element("ReplicaSet", ns, a + "-1", true),
                    cm = element("ConfigMap", ns, a, false);
            List.of(ing, svc, dep, rs, cm).forEach(e -> items.add(item(e)));
            edges.add(TopologyEdge.of(ing.id(), svc.id(), EdgeType.ROUTES));
            edges.add(TopologyEdge.of(svc.id(), dep.id(), EdgeType.SELECTS));
            edges.add(TopologyEdge.of(dep.id(), rs.id(), EdgeType.OWNS));
            edges.add(TopologyEdge.of(dep.id(), cm.id(), EdgeType.USES_CONFIG_MAP));
        }
        return items;
    }

    static void assertNoOverlaps(java.util.Collection<Box> boxes) {
        List<Box> all = new ArrayList<>(boxes);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                assertThat(all.get(i).overlaps(all.get(j), -0.01)).as(all.get(i) + " overlaps " + all.get(j)).isFalse();
            }
        }
    }

    @Test
    void laysOutLeftToRightIngressServiceWorkloadReplicaSetWithoutOverlaps() {
        List<TopologyEdge> edges = new ArrayList<>();
        List<TopologyLayout.Item> items = apps("shop", 6, edges);

        Map<ElementId, Box> boxes = TopologyLayout.layout(items, edges, Map.of());

        assertThat(boxes).hasSize(items.size());
        assertNoOverlaps(boxes.values());
        for (int i = 0; i < 6; i++) {
            String a = "app" + i;
            double ing = boxes.get(ElementId.of("Ingress", "shop", a)).maxX();
            Box svc = boxes.get(ElementId.of("Service", "shop", a));
            Box dep = boxes.get(ElementId.of("Deployment", "shop", a));
            Box rs = boxes.get(ElementId.of("ReplicaSet", "shop", a + "-1"));
            assertThat(ing).isLessThan(svc.x());
            assertThat(svc.maxX()).isLessThan(dep.x());
            assertThat(dep.maxX()).isLessThan(rs.x());
        }
    }

    @Test
    void namespacesAreStackedAndPinnedBoxesKeepTheirPlace() {
        List<TopologyEdge> edges = new ArrayList<>();
        List<TopologyLayout.Item> items = apps("a", 2, edges);
        items.addAll(apps("b", 2, edges));
        ElementId pinned = ElementId.of("Service", "a", "app0");

        Map<ElementId, Box> boxes = TopologyLayout.layout(items, edges, Map.of(pinned, new Box(pinned, -500, -400, 0, 0)));

        double bottomOfA = boxes.values().stream().filter(b -> b.id().namespace().equals("a") && !b.id().equals(pinned)).mapToDouble(Box::maxY).max().orElseThrow();
        double topOfB = boxes.values().stream().filter(b -> b.id().namespace().equals("b")).mapToDouble(Box::y).min().orElseThrow();
        assertThat(topOfB).isGreaterThan(bottomOfA);
        assertThat(boxes.get(pinned).x()).isEqualTo(-500);
        assertThat(boxes.get(pinned).y()).isEqualTo(-400);
    }

    @Test
    void placingNewBoxesMovesNoExistingBoxAndOverlapsNone() {
        List<TopologyEdge> edges = new ArrayList<>();
        List<TopologyLayout.Item> items = apps("shop", 4, edges);
        Map<ElementId, Box> before = TopologyLayout.layout(items, edges, Map.of());

        // a new app with no tie to the others, and a second ReplicaSet of app1 (a rollout)
        List<TopologyEdge> more = new ArrayList<>(edges);
        List<TopologyLayout.Item> added = apps("shop", 5, more).subList(20, 25);
        TopologyElement rs2 = element("ReplicaSet", "shop", "app1-2", true);
        more.add(TopologyEdge.of(ElementId.of("Deployment", "shop", "app1"), rs2.id(), EdgeType.OWNS));
        List<TopologyLayout.Item> news = new ArrayList<>(added);
        news.add(item(rs2));

        Map<ElementId, Box> placed = TopologyLayout.place(before, news, more);

        assertThat(placed.keySet()).containsExactlyInAnyOrderElementsOf(news.stream().map(TopologyLayout.Item::id).toList());
        Map<ElementId, Box> all = new java.util.HashMap<>(before);
        all.putAll(placed);
        assertNoOverlaps(all.values());
        Box dep1 = before.get(ElementId.of("Deployment", "shop", "app1"));
        assertThat(placed.get(rs2.id()).x()).as("in the ReplicaSet column").isGreaterThan(dep1.maxX());
        assertThat(placed.get(rs2.id()).x()).isEqualTo(before.get(ElementId.of("ReplicaSet", "shop", "app1-1")).x());
        double bottom = before.values().stream().mapToDouble(Box::maxY).max().orElseThrow();
        assertThat(placed.get(ElementId.of("Deployment", "shop", "app4")).y()).as("a detached app goes below").isGreaterThan(bottom);
    }

    @Test
    void componentsOfOneShapeAreLaidOutOnceWithTheSameResultAsEachAlone() {
        List<TopologyEdge> edges = new ArrayList<>();
        List<TopologyLayout.Item> items = apps("shop", 30, edges);
        // other shapes among them: app3 in the middle of a rollout, app5 with a bigger ReplicaSet
        TopologyElement rs2 = element("ReplicaSet", "shop", "app3-2", true);
        items.add(item(rs2));
        edges.add(TopologyEdge.of(ElementId.of("Deployment", "shop", "app3"), rs2.id(), EdgeType.OWNS));
        ElementId big = ElementId.of("ReplicaSet", "shop", "app5-1");
        items.replaceAll(i -> i.id().equals(big) ? new TopologyLayout.Item(i.element(), Sizes.width(i.element(), 40), Sizes.height(i.element(), 40)) : i);

        Map<ElementId, Box> reused = TopologyLayout.elk(items, edges, true);
        Map<ElementId, Box> each = TopologyLayout.elk(items, edges, false);

        assertThat(reused).isEqualTo(each);
        assertThat(reused).hasSize(items.size());
        assertNoOverlaps(reused.values());
        // the same shape, the same picture, wherever the component went
        for (String kind : List.of("Ingress", "Service", "Deployment", "ConfigMap")) {
            Box a0 = reused.get(ElementId.of(kind, "shop", "app0"));
            Box a7 = reused.get(ElementId.of(kind, "shop", "app7"));
            Box d0 = reused.get(ElementId.of("Deployment", "shop", "app0"));
            Box d7 = reused.get(ElementId.of("Deployment", "shop", "app7"));
            assertThat(a7.x() - d7.x()).isCloseTo(a0.x() - d0.x(), within(1e-6));
            assertThat(a7.y() - d7.y()).isCloseTo(a0.y() - d0.y(), within(1e-6));
        }
        // the rollout's two ReplicaSets share the column right of their Deployment
        assertThat(reused.get(rs2.id()).x()).isCloseTo(reused.get(ElementId.of("ReplicaSet", "shop", "app3-1")).x(), within(1e-6));
        // components are packed in rows, not in one long column
        double width = reused.values().stream().mapToDouble(Box::maxX).max().orElseThrow();
        double height = reused.values().stream().mapToDouble(Box::maxY).max().orElseThrow();
        assertThat(width / height).isBetween(0.5, 4.0);
    }

    @Test
    void containersAreSizedFromTheirPodsWithASpareRow() {
        TopologyElement rs = element("ReplicaSet", "shop", "web-1", true);
        double h2 = Sizes.height(rs, 2);
        assertThat(Sizes.fits(h2, 5)).as("scaling 2 → 5 still fits").isTrue();
        assertThat(Sizes.fits(h2, 40)).isFalse();
        assertThat(Sizes.height(rs, 40)).isGreaterThan(h2);
        assertThat(Sizes.height(element("Service", "shop", "web", false), 40)).isEqualTo(Sizes.HEIGHT);
    }
}
