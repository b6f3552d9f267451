package dev.berth.app.explorer;

import dev.berth.app.cluster.Kinds;
import dev.berth.app.cluster.ResourceCache;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceTableModelTest {
    static GenericKubernetesResource pod(String name, String phase, Map<String, String> labels) {
        GenericKubernetesResource p = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Pod")
                .withNewMetadata().withNamespace("default").withName(name).withLabels(labels).endMetadata().build();
        p.setAdditionalProperty("status", Map.of("phase", phase));
        return p;
    }

    static ResourceTableModel.RowChange change(ResourceCache.Type type, GenericKubernetesResource o) {
        return new ResourceTableModel.RowChange(type, Row.keyOf(o),
                type == ResourceCache.Type.DELETED ? null : Columns.row(Kinds.POD, Columns.of(Kinds.POD), o));
    }

    static final Comparator<Row> BY_NAME = Comparator.comparing(Row::name, ExplorerController.NaturalOrder.INSTANCE);

    @Test
    void keepsRowsSortedThroughAddsUpdatesAndDeletesWithoutReplacingTheList() {
        ResourceTableModel m = new ResourceTableModel();
        m.sorted().setComparator(BY_NAME);
        List<ResourceTableModel.RowChange> first = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            first.add(change(ResourceCache.Type.ADDED, pod("pod-" + i, "Pending", Map.of("app", i % 2 == 0 ? "even" : "odd"))));
        }
        m.apply(first);
        assertThat(m.size()).isEqualTo(200);
        assertThat(m.sorted().get(0).name()).isEqualTo("pod-0");
        assertThat(m.sorted().get(199).name()).isEqualTo("pod-199");

        AtomicInteger replacedWhole = new AtomicInteger();
        m.sorted().addListener((ListChangeListener<Row>) c -> {
            while (c.next()) {
                if (c.getRemovedSize() > 50 || c.getAddedSize() > 50) {
                    replacedWhole.incrementAndGet();
                }
            }
        });
        m.apply(List.of(change(ResourceCache.Type.MODIFIED, pod("pod-7", "Running", Map.of("app", "odd"))),
                change(ResourceCache.Type.DELETED, pod("pod-3", "", Map.of())),
                change(ResourceCache.Type.DELETED, pod("pod-199", "", Map.of())),
                change(ResourceCache.Type.ADDED, pod("pod-1000", "Pending", Map.of()))));
        assertThat(replacedWhole).hasValue(0);
        assertThat(m.size()).isEqualTo(199);
        assertThat(m.get("default/pod-7").cell(1)).isEqualTo("Running");
        assertThat(m.get("default/pod-3")).isNull();
        assertThat(m.get("default/pod-199")).isNull();
        assertThat(m.sorted()).isSortedAccordingTo(BY_NAME);
        assertThat(m.sorted().getLast().name()).isEqualTo("pod-1000");
        // every key still finds its own row after the moves a removal makes
        for (Row r : m.sorted()) {
            assertThat(m.get(r.key())).isSameAs(r);
        }
    }

    @Test
    void coalescesABatchByKeySoTheLatestChangeWins() {
        ResourceTableModel m = new ResourceTableModel();
        m.apply(List.of(change(ResourceCache.Type.ADDED, pod("a", "Pending", Map.of())),
                change(ResourceCache.Type.MODIFIED, pod("a", "Running", Map.of())),
                change(ResourceCache.Type.ADDED, pod("b", "Pending", Map.of())),
                change(ResourceCache.Type.DELETED, pod("b", "", Map.of()))));
        assertThat(m.size()).isEqualTo(1);
        assertThat(m.get("default/a").cell(1)).isEqualTo("Running");
    }

    @Test
    void filtersByTextAndLabelSelectorOverTwentyThousandRows() {
        ResourceTableModel m = new ResourceTableModel();
        m.sorted().setComparator(BY_NAME);
        List<ResourceTableModel.RowChange> all = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            all.add(change(ResourceCache.Type.ADDED, pod("web-" + i, i % 10 == 0 ? "Failed" : "Running",
                    Map.of("app", "web", "shard", String.valueOf(i % 4)))));
        }
        m.apply(all);
        assertThat(m.size()).isEqualTo(20_000);

        m.setFilter(RowFilter.of("failed", "", null));
        assertThat(m.shown()).isEqualTo(2_000);
        m.setFilter(RowFilter.of("", "shard in (1,2)", null));
        assertThat(m.shown()).isEqualTo(10_000);
        m.setFilter(RowFilter.of("failed", "shard=0", null));
        assertThat(m.shown()).isEqualTo(1_000);
        assertThat(m.sorted()).allSatisfy(r -> assertThat(r.labels()).containsEntry("shard", "0"))
                .isSortedAccordingTo(BY_NAME);

        // an update that stops matching leaves the filtered view at once
        GenericKubernetesResource healed = pod("web-0", "Running", Map.of("app", "web", "shard", "0"));
        m.apply(List.of(change(ResourceCache.Type.MODIFIED, healed)));
        assertThat(m.shown()).isEqualTo(999);
        m.setFilter(RowFilter.ALL);
        assertThat(m.shown()).isEqualTo(20_000);
    }

    @Test
    void aBadSelectorIsRefusedNamingTheSelector() {
        assertThatThrownBy(() -> RowFilter.of("", "tier in (a", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("label selector \"tier in (a\": ");
        assertThatThrownBy(() -> RowFilter.of("", "app=", null).test(null)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void naturalOrderComparesNumbersInsideNames() {
        List<String> names = new ArrayList<>(List.of("pod-10", "pod-2", "pod-1", "4/4", "10/10", "9/10"));
        names.sort(ExplorerController.NaturalOrder.INSTANCE);
        assertThat(names).containsExactly("4/4", "9/10", "10/10", "pod-1", "pod-2", "pod-10");
    }
}
