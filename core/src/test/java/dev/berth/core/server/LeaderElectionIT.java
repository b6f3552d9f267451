package dev.berth.core.server;

import dev.berth.core.controller.leaderelection.LeaderElectionConfig;
import dev.berth.core.store.etcd.EtcdTestServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two replicas on one etcd: one runs the controllers, the other takes over when it dies. */
class LeaderElectionIT {
    @TempDir
    Path dir;

    private static ServerOptions etcdOptions(Path data, List<String> endpoints, Path pki) {
        ServerOptions d = ServerOptions.defaults(data).withListen("127.0.0.1", 0);
        return new ServerOptions(d.dataDir(), pki, d.listenHost(), d.listenPort(), "etcd", endpoints,
                d.clusterCidr(), d.serviceCidr(), d.nodePortMin(), d.nodePortMax(), d.eventTtl());
    }

    private static KubernetesClient client(BerthServer s) throws Exception {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(s.adminKubeconfig())))
                .build();
    }

    private static void createNamespace(KubernetesClient c, String name) {
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToFinalizers("kubernetes").endSpec().build()).create();
    }

    private static List<String> leaderElectionEvents(KubernetesClient c) {
        return c.v1().events().inNamespace("kube-system").list().getItems().stream()
                .filter(e -> "LeaderElection".equals(e.getReason()))
                .filter(e -> e.getMessage().endsWith("became leader"))
                .map(Event::getMessage).sorted().toList();
    }

    @Test
    void aStandbyTakesOverWhenTheLeaderDiesAndNothingRunsTwice() throws Exception {
        try (EtcdTestServer etcd = EtcdTestServer.startOrSkip()) {
            Path a = dir.resolve("a");
            BerthServer first = new BerthServer(etcdOptions(a, etcd.endpoints(), a.resolve("pki")), Clock.systemUTC(),
                    LeaderElectionConfig.defaults("replica-a")).start();
            BerthServer second = null;
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.isLeading() && first.controllers() != null);
                second = new BerthServer(etcdOptions(dir.resolve("b"), etcd.endpoints(), a.resolve("pki")),
                        Clock.systemUTC(), LeaderElectionConfig.defaults("replica-b")).start();
                BerthServer standby = second;
                try (KubernetesClient c = client(second)) {
                    // the standby competes but runs nothing for several retry periods, while the leader works
                    createNamespace(c, "while-a-leads");
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                            c.serviceAccounts().inNamespace("while-a-leads").withName("default").get()).isNotNull());
                    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() ->
                            !standby.isLeading() && standby.controllers() == null
                                    && standby.leaderElection().leader().equals("replica-a"));
                    assertThat(c.leases().inNamespace("kube-system").withName("berth-controller-manager").get()
                            .getSpec().getLeaseTransitions()).isZero();

                    // the leader crashes: it stops renewing and goes away without releasing the lease
                    first.leaderElection().halt();
                    long killed = System.nanoTime();
                    first.close();
                    await().atMost(Duration.ofSeconds(30)).until(standby::isLeading);
                    long tookMs = (System.nanoTime() - killed) / 1_000_000;
                    System.out.println("leader takeover took " + tookMs + " ms (lease duration 10 s, retry 2 s)");

                    Lease lease = c.leases().inNamespace("kube-system").withName("berth-controller-manager").get();
                    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-b");
                    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
                    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(10);

                    // the new leader's controllers work
                    createNamespace(c, "after-takeover");
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                            c.serviceAccounts().inNamespace("after-takeover").withName("default").get()).isNotNull());
                    // each replica became leader exactly once: never both, never again
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(leaderElectionEvents(c))
                            .containsExactly("replica-a became leader", "replica-b became leader"));
                    assertThat(c.v1().events().inNamespace("kube-system").list().getItems().stream()
                            .filter(e -> "LeaderElection".equals(e.getReason()))
                            .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum()).isEqualTo(2);
                }
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    @Test
    void closingTheLeaderReleasesTheLeaseForAQuickHandOver() throws Exception {
        try (EtcdTestServer etcd = EtcdTestServer.startOrSkip()) {
            Path a = dir.resolve("a");
            BerthServer first = new BerthServer(etcdOptions(a, etcd.endpoints(), a.resolve("pki")), Clock.systemUTC(),
                    LeaderElectionConfig.defaults("replica-a")).start();
            try (BerthServer second = new BerthServer(etcdOptions(dir.resolve("b"), etcd.endpoints(), a.resolve("pki")),
                    Clock.systemUTC(), LeaderElectionConfig.defaults("replica-b")).start();
                 KubernetesClient c = client(second)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.isLeading() != second.isLeading());
                BerthServer leader = first.isLeading() ? first : second;
                BerthServer other = leader == first ? second : first;
                leader.close();
                assertThat(leader.controllers()).isNull();
                await().atMost(Duration.ofSeconds(10)).until(other::isLeading);
                Lease lease = c.leases().inNamespace("kube-system").withName("berth-controller-manager").get();
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(other.leaderElection().identity());
            } finally {
                first.close();
            }
        }
    }
}
