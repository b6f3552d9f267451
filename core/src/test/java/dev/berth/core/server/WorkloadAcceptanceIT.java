package dev.berth.core.server;

import dev.berth.core.sim.HollowNodeSpec;
import dev.berth.core.sim.HollowNodes;
import dev.berth.core.sim.SimOptions;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole control plane with simulated nodes, driven by the real kubectl: a server, its
 * scheduler and controllers, and three hollow nodes that run pods without containers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadAcceptanceIT {
    private static final Duration LONG = Duration.ofSeconds(120);

    private Path dir;

    private BerthServer server;
    private KubernetesClient client;
    private HollowNodes nodes;
    private Kubectl kubectl;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        server = new BerthServer(ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withClusterCidr("10.99.0.0/16"),
                Clock.systemUTC()).start();
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        kubectl = new Kubectl(server.adminKubeconfig(), Files.createDirectories(dir.resolve("home")));
        nodes = new HollowNodes(client, Clock.systemUTC(), SimOptions.defaults().withJobRunTime(Duration.ofSeconds(1)));
        nodes.serveSummaries();
        nodes.start();
        nodes.addAll(List.of(HollowNodeSpec.of("sim-0", 0), HollowNodeSpec.of("sim-1", 1), HollowNodeSpec.of("sim-2", 2)));
        await().atMost(LONG).until(() -> readyNodes() == 3);
    }

    @Test
    void nodesGetPodRangesFromTheClusterCidrOfTheServer() {
        await().atMost(LONG).untilAsserted(() -> assertThat(client.nodes().list().getItems())
                .allSatisfy(n -> assertThat(n.getSpec().getPodCIDR()).startsWith("10.99.").endsWith(".0/24")));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[]{nodes, client, server}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        }
    }

    private long readyNodes() {
        return client.nodes().list().getItems().stream().filter(WorkloadAcceptanceIT::ready).count();
    }

    private static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean ready(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void namespace(String ns) {
        kubectl.run("create", "namespace", ns).ok();
    }

    private List<Pod> pods(String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
    }

    private static String deployment(String image, int replicas, String extraPodAnnotations, String resources) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: web}
                  strategy:
                    type: RollingUpdate
                    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
                  template:
                    metadata:
                      labels: {app: web}
                      annotations: {%s}
                    spec:
                      containers:
                      - name: c
                        image: %s
                        resources: {%s}
                """.formatted(replicas, extraPodAnnotations, image, resources);
    }

    @Test
    void aDeploymentRollsOutUpdatesUndoesRestartsAndScales() throws Exception {
        String ns = "deploy";
        namespace(ns);
        kubectl.run(deployment("busybox:1.36", 3, "", ""), Map.of(), "apply", "-n", ns, "-f", "-").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();
        assertThat(pods(ns, "web")).hasSize(3).allMatch(WorkloadAcceptanceIT::ready)
                .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("sim-"));

        // a rolling update with maxUnavailable 0 never has fewer than 3 ready pods
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                int readyNow = (int) pods(ns, "web").stream().filter(WorkloadAcceptanceIT::ready).count();
                fewest.accumulateAndGet(readyNow, Math::min);
            }
        });
        kubectl.run("set", "image", "-n", ns, "deployment/web", "c=busybox:1.37").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();
        watching.set(false);
        sampler.join();
        assertThat(fewest.get()).isGreaterThanOrEqualTo(3);
        await().atMost(LONG).untilAsserted(() -> assertThat(pods(ns, "web")).hasSize(3)
                .allSatisfy(p -> assertThat(p.getSpec().getContainers().getFirst().getImage()).isEqualTo("busybox:1.37")));

        assertThat(kubectl.run("rollout", "history", "-n", ns, "deployment/web").ok().out()).contains("1").contains("2");
        kubectl.run("rollout", "undo", "-n", ns, "deployment/web").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();
        assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getImage()).isEqualTo("busybox:1.36");

        kubectl.run("rollout", "restart", "-n", ns, "deployment/web").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();

        kubectl.run("scale", "-n", ns, "deployment/web", "--replicas=5").ok();
        await().atMost(LONG).until(() -> pods(ns, "web").stream().filter(WorkloadAcceptanceIT::ready).count() == 5);
    }

    @Test
    void aDaemonSetCoversANodeAddedLater() {
        String ns = "daemons";
        namespace(ns);
        kubectl.run("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                """, Map.of(), "apply", "-n", ns, "-f", "-").ok();
        await().atMost(LONG).until(() -> pods(ns, "agent").stream().filter(WorkloadAcceptanceIT::ready).count()
                == readyNodes());
        long before = readyNodes();
        nodes.add(HollowNodeSpec.of("sim-late", 9));
        await().atMost(LONG).until(() -> pods(ns, "agent").stream().filter(WorkloadAcceptanceIT::ready)
                .anyMatch(p -> "sim-late".equals(p.getSpec().getNodeName())));
        assertThat(pods(ns, "agent").stream().filter(WorkloadAcceptanceIT::ready).count()).isEqualTo(before + 1);
        kubectl.run("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s").ok();
    }

    @Test
    void aJobRunsToCompletionAndACronJobFires() {
        String ns = "batch";
        namespace(ns);
        kubectl.run("create", "job", "-n", ns, "once", "--image=busybox:1.36", "--", "true").ok();
        kubectl.run("wait", "-n", ns, "--for=condition=Complete", "job/once", "--timeout=120s").ok();

        kubectl.run("create", "cronjob", "-n", ns, "tick", "--image=busybox:1.36", "--schedule=* * * * *", "--", "true").ok();
        await().atMost(Duration.ofSeconds(150)).until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems()
                .stream().anyMatch(j -> j.getMetadata().getName().startsWith("tick-")));
    }

    @Test
    void aStatefulSetComesUpInOrderWithItsLocalVolumes() {
        String ns = "stateful";
        namespace(ns);
        kubectl.run("""
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: db
                  replicas: 2
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """, Map.of(), "apply", "-n", ns, "-f", "-").ok();
        kubectl.run("rollout", "status", "-n", ns, "statefulset/db", "--timeout=120s").ok();
        await().atMost(LONG).untilAsserted(() -> {
            var all = client.persistentVolumeClaims().inNamespace(ns).list().getItems();
            assertThat(all).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-db-0", "data-db-1");
            assertThat(all).allSatisfy(c -> assertThat(c.getStatus().getPhase()).isEqualTo("Bound"));
        });
        var claims = client.persistentVolumeClaims().inNamespace(ns).list().getItems();
        Pod first = client.pods().inNamespace(ns).withName("db-0").get();
        Pod second = client.pods().inNamespace(ns).withName("db-1").get();
        assertThat(first.getMetadata().getCreationTimestamp()).isLessThanOrEqualTo(second.getMetadata().getCreationTimestamp());
        // the local volume pins the pod to the node that holds its directory
        var pv = client.persistentVolumes().withName(claims.getFirst().getSpec().getVolumeName()).get();
        assertThat(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().getFirst().getMatchExpressions()
                .getFirst().getValues()).hasSize(1);
    }

    @Test
    void anAutoscalerScalesOnReportedUsageAndTopShowsIt() {
        String ns = "scale";
        namespace(ns);
        kubectl.run(deployment("busybox:1.36", 2, "sim.berth.dev/cpu-usage: 200m", "requests: {cpu: 100m}"),
                Map.of(), "apply", "-n", ns, "-f", "-").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();
        kubectl.run("autoscale", "-n", ns, "deployment/web", "--cpu-percent=50", "--min=2", "--max=6").ok();
        await().atMost(LONG).until(() ->
                client.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas() > 2);
        await().atMost(LONG).untilAsserted(() ->
                assertThat(kubectl.run("top", "pod", "-n", ns, "-l", "app=web").out()).contains("200m"));
    }

    @Test
    void drainRespectsADisruptionBudgetAndAStoppedNodesPodsAreReplaced() {
        String ns = "drain";
        namespace(ns);
        kubectl.run(deployment("busybox:1.36", 2, "", ""), Map.of(), "apply", "-n", ns, "-f", "-").ok();
        kubectl.run("rollout", "status", "-n", ns, "deployment/web", "--timeout=120s").ok();
        kubectl.run("create", "poddisruptionbudget", "-n", ns, "web", "--selector=app=web", "--min-available=2").ok();
        await().atMost(LONG).until(() -> {
            var pdb = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("web").get();
            return pdb.getStatus() != null && pdb.getStatus().getCurrentHealthy() != null
                    && pdb.getStatus().getCurrentHealthy() == 2;
        });
        String node = pods(ns, "web").getFirst().getSpec().getNodeName();

        Kubectl.Result drain = kubectl.run("drain", node, "--ignore-daemonsets", "--delete-emptydir-data",
                "--pod-selector=app=web", "--timeout=5s");
        assertThat(drain.exit()).isNotZero();
        assertThat(drain.err()).contains("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(pods(ns, "web").stream().filter(WorkloadAcceptanceIT::ready).count()).isEqualTo(2);
        kubectl.run("uncordon", node).ok();

        // the node goes silent: its pods are evicted after the grace period and replaced elsewhere
        kubectl.run("delete", "poddisruptionbudget", "-n", ns, "web").ok();
        nodes.stop(node);
        await().atMost(LONG).untilAsserted(() -> {
            List<Pod> readyPods = pods(ns, "web").stream().filter(WorkloadAcceptanceIT::ready).toList();
            assertThat(readyPods).hasSize(2).noneSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(node));
        });
        nodes.resume(node);
    }
}
