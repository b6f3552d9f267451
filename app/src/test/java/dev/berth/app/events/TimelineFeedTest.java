package dev.berth.app.events;

import dev.berth.app.cluster.ResourceCache.Type;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineFeedTest {
    static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");
    final TimelineFeed feed = new TimelineFeed();

    static GenericKubernetesResource yaml(String text) {
        return Serialization.unmarshal(text, GenericKubernetesResource.class);
    }

    static GenericKubernetesResource node(String name, String ready, String at) {
        return yaml("""
                apiVersion: v1
                kind: Node
                metadata: {name: %s, uid: u-%s, creationTimestamp: "2026-12-02T14:00:00Z"}
                status:
                  conditions:
                  - {type: Ready, status: "%s", reason: KubeletNotReady, message: "lease expired", lastTransitionTime: "%s"}
                """.formatted(name, name, ready, at));
    }

    static GenericKubernetesResource pod(String name, String ready, String waiting, String scheduled) {
        return yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: default, uid: u-%s}
                spec: {nodeName: "%s"}
                status:
                  conditions:
                  - {type: Ready, status: "%s", lastTransitionTime: "2026-12-02T14:59:00Z"}
                  - {type: PodScheduled, status: "%s", reason: "%s", message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."}
                  containerStatuses:
                  - {name: app, state: {waiting: {reason: "%s"}}}
                """.formatted(name, name, scheduled.equals("True") ? "sim-0" : "", ready, scheduled,
                scheduled.equals("True") ? "" : "Unschedulable", waiting));
    }

    static GenericKubernetesResource event(String uid, String reason, String type, int count) {
        return yaml("""
                apiVersion: v1
                kind: Event
                metadata: {name: e-%s, namespace: default, uid: %s}
                involvedObject: {kind: Pod, namespace: default, name: web-1}
                reason: %s
                type: %s
                message: "0/3 nodes are available"
                count: %d
                lastTimestamp: "2026-12-02T14:58:00Z"
                """.formatted(uid, uid, reason, type, count));
    }

    @Test
    void aNodeJoiningIsOnTheTimelineAtItsCreationAndGoingNotReadyIsAWarningAndOneNotification() {
        var joined = feed.accept("Node", Type.ADDED, node("sim-1", "True", "2026-12-02T14:00:10Z"), NOW);
        assertThat(joined.entries()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("RegisteredNode");
            assertThat(e.time()).isEqualTo(Instant.parse("2026-12-02T14:00:00Z"));
        });
        assertThat(joined.notifications()).isEmpty();

        var lost = feed.accept("Node", Type.MODIFIED, node("sim-1", "Unknown", "2026-12-02T14:59:30Z"), NOW);
        assertThat(lost.entries()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo(TimelineEntry.Severity.WARNING);
            assertThat(e.category()).isEqualTo(TimelineEntry.Category.NODE);
            assertThat(e.reason()).isEqualTo("NodeNotReady");
            assertThat(e.time()).isEqualTo(Instant.parse("2026-12-02T14:59:30Z"));
        });
        assertThat(lost.notifications()).singleElement().satisfies(n -> {
            assertThat(n.reason()).isEqualTo(Notification.NODE_NOT_READY);
            assertThat(n.name()).isEqualTo("sim-1");
        });
        // the same state again (a heartbeat update) raises nothing new
        var again = feed.accept("Node", Type.MODIFIED, node("sim-1", "Unknown", "2026-12-02T14:59:30Z"), NOW);
        assertThat(again.entries()).isEmpty();
        assertThat(again.notifications()).isEmpty();
        // back to ready, then lost again: a new notification
        assertThat(feed.accept("Node", Type.MODIFIED, node("sim-1", "True", "2026-12-02T15:00:00Z"), NOW).entries())
                .extracting(TimelineEntry::reason).containsExactly("NodeReady");
        assertThat(feed.accept("Node", Type.MODIFIED, node("sim-1", "False", "2026-12-02T15:01:00Z"), NOW).notifications()).hasSize(1);
    }

    @Test
    void aCrashLoopingPodIsNotifiedOnceWhateverTheRepeats() {
        assertThat(feed.accept("Pod", Type.ADDED, pod("web-1", "False", "CrashLoopBackOff", "True"), NOW).notifications())
                .singleElement().satisfies(n -> assertThat(n.message()).contains("Container app keeps crashing"));
        assertThat(feed.accept("Pod", Type.MODIFIED, pod("web-1", "False", "CrashLoopBackOff", "True"), NOW).notifications()).isEmpty();
        assertThat(feed.accept("Event", Type.ADDED, yaml("""
                apiVersion: v1
                kind: Event
                metadata: {name: e, namespace: default, uid: e1}
                involvedObject: {kind: Pod, namespace: default, name: web-1}
                reason: BackOff
                type: Warning
                message: "Back-off restarting failed container app in pod web-1_default"
                count: 7
                """), NOW).notifications()).isEmpty();
        assertThat(feed.openNotifications()).containsExactly("Pod/default/web-1/CrashLoopBackOff");
        feed.accept("Pod", Type.MODIFIED, pod("web-1", "True", "", "True"), NOW);
        assertThat(feed.openNotifications()).isEmpty();
    }

    @Test
    void failedSchedulingIsNotifiedOncePerPodFromTheEventOrThePodsCondition() {
        var first = feed.accept("Event", Type.ADDED, event("e1", "FailedScheduling", "Warning", 1), NOW);
        assertThat(first.entries()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo(TimelineEntry.Severity.WARNING);
            assertThat(e.object()).isEqualTo("Pod default/web-1");
            assertThat(e.time()).isEqualTo(Instant.parse("2026-12-02T14:58:00Z"));
        });
        assertThat(first.notifications()).singleElement().extracting(Notification::reason).isEqualTo(Notification.FAILED_SCHEDULING);
        // the event counted again: one more entry on the timeline, no second notification
        var repeat = feed.accept("Event", Type.MODIFIED, event("e1", "FailedScheduling", "Warning", 2), NOW);
        assertThat(repeat.entries()).singleElement().satisfies(e -> assertThat(e.message()).endsWith("(×2)"));
        assertThat(repeat.notifications()).isEmpty();
        assertThat(feed.accept("Pod", Type.ADDED, pod("web-1", "False", "", "False"), NOW).notifications()).isEmpty();
        // an update that does not count the event again adds nothing
        assertThat(feed.accept("Event", Type.MODIFIED, event("e1", "FailedScheduling", "Warning", 2), NOW).entries()).isEmpty();
    }

    @Test
    void rolloutsAndReadinessChangesAreOnTheTimeline() {
        String rs = """
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata:
                  name: web-abc
                  namespace: default
                  uid: rs1
                  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]
                spec: {replicas: %d}
                """;
        assertThat(feed.accept("ReplicaSet", Type.ADDED, yaml(rs.formatted(1)), NOW).entries()).isEmpty();
        assertThat(feed.accept("ReplicaSet", Type.MODIFIED, yaml(rs.formatted(3)), NOW).entries()).singleElement()
                .satisfies(e -> {
                    assertThat(e.category()).isEqualTo(TimelineEntry.Category.ROLLOUT);
                    assertThat(e.message()).isEqualTo("Scaled up replica set web-abc from 1 to 3 (Deployment web)");
                });
        String d = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: default
                  uid: d1
                  annotations: {deployment.kubernetes.io/revision: "%s"}
                """;
        assertThat(feed.accept("Deployment", Type.ADDED, yaml(d.formatted("1")), NOW).entries()).isEmpty();
        assertThat(feed.accept("Deployment", Type.MODIFIED, yaml(d.formatted("2")), NOW).entries())
                .extracting(TimelineEntry::message).containsExactly("Rolling out revision 2 (was 1)");

        feed.accept("Pod", Type.ADDED, pod("web-2", "False", "", "True"), NOW);
        List<TimelineEntry> ready = feed.accept("Pod", Type.MODIFIED, pod("web-2", "True", "", "True"), NOW).entries();
        assertThat(ready).singleElement().satisfies(e -> {
            assertThat(e.category()).isEqualTo(TimelineEntry.Category.PROBE);
            assertThat(e.reason()).isEqualTo("Ready");
            assertThat(e.time()).isEqualTo(Instant.parse("2026-12-02T14:59:00Z"));
        });
        assertThat(ready.getFirst().matches("WEB-2")).isTrue();
        assertThat(ready.getFirst().matches("api")).isFalse();
    }
}
