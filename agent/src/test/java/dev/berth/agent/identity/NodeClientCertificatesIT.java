package dev.berth.agent.identity;

import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.RotationPolicy;
import dev.berth.core.pki.Tls;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node's client certificate is renewed through a real CertificateSigningRequest against a real
 * control plane (approved because the requester is that node), on a clock the test moves.
 */
class NodeClientCertificatesIT {
    @TempDir
    Path dir;

    @Test
    void theNodeRenewsItsClientCertificateWithoutDroppingItsWatchAndTheOldOneWorksUntilItExpires() throws Exception {
        FakeClock clock = new FakeClock(Instant.now());
        RotationPolicy serverPolicy = new RotationPolicy(Duration.ofHours(10), Duration.ofDays(365), 0.8, 0.1,
                Duration.ofMillis(100));
        try (BerthServer server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0)
                .withCertificates(serverPolicy), clock).start();
             KubernetesClient admin = new KubernetesClientBuilder().withConfig(
                     Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build()) {
            Kubeconfig adminConfig = Kubeconfig.read(server.adminKubeconfig());
            CertifiedKey first = server.pki().ca().issueClient("system:node:n1", List.of("system:nodes"), Duration.ofHours(10));
            Path kubeconfigFile = dir.resolve("n1.kubeconfig");
            Kubeconfig original = Kubeconfig.withClientCertificate("berth", adminConfig.server(),
                    adminConfig.certificateAuthorities().getFirst(), "system:node:n1", first);
            original.write(kubeconfigFile);

            RotationPolicy nodePolicy = RotationPolicy.defaults().withCheckEvery(Duration.ofMillis(100));
            try (NodeClientCertificates certificates = new NodeClientCertificates(kubeconfigFile, "n1", nodePolicy, clock,
                         Duration.ofSeconds(60));
                 KubernetesClient node = certificates.newClient(Config.fromKubeconfig(Files.readString(kubeconfigFile)))) {
                Instant notBefore = first.certificate().getNotBefore().toInstant();
                long life = Duration.between(notBefore, first.certificate().getNotAfter().toInstant()).toMillis();
                assertThat(certificates.deadline()).isBetween(notBefore.plusMillis((long) (life * 0.7)),
                        notBefore.plusMillis((long) (life * 0.9)));
                var events = new LinkedBlockingQueue<String>();
                var closed = new AtomicReference<Object>();
                try (var watch = node.namespaces().watch(new Watcher<Namespace>() {
                    @Override
                    public void eventReceived(Action action, Namespace ns) {
                        events.add(action + " " + ns.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        closed.set(cause == null ? "closed" : cause);
                    }
                })) {
                    admin.namespaces().resource(namespace("before")).create();
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED before"));
                    certificates.start(node);

                    clock.advance(Duration.ofHours(9));   // past 90% of its life: due whatever the jitter
                    await().atMost(Duration.ofSeconds(90)).until(() -> !certificates.current().certificate()
                            .getSerialNumber().equals(first.certificate().getSerialNumber()));
                    X509Certificate renewed = certificates.current().certificate();
                    assertThat(renewed.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:n1,O=system:nodes");
                    assertThat(renewed.getNotAfter().toInstant()).isAfter(first.certificate().getNotAfter().toInstant());
                    // the request went through the API as the node itself, and was approved for that reason
                    assertThat(admin.certificates().v1().certificateSigningRequests().list().getItems())
                            .anySatisfy(csr -> {
                                assertThat(csr.getSpec().getUsername()).isEqualTo("system:node:n1");
                                assertThat(csr.getStatus().getConditions()).anySatisfy(c ->
                                        assertThat(c.getReason()).isEqualTo("AutoApproved"));
                            });
                    // written atomically over the kubeconfig, readable by the agent's user only
                    Kubeconfig written = Kubeconfig.read(kubeconfigFile);
                    assertThat(((Kubeconfig.ClientCertificate) written.credentials()).certifiedKey().certificate())
                            .isEqualTo(renewed);
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfigFile)))
                            .isEqualTo("rw-------");

                    // the watch made with the old certificate goes on
                    admin.namespaces().resource(namespace("after")).create();
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED after"));
                    assertThat(closed.get()).isNull();
                    // the old certificate still works until it expires
                    assertThat(get(original).statusCode()).isEqualTo(200);

                    clock.advance(Duration.ofHours(2));
                    HttpResponse<String> expired = get(original);
                    assertThat(expired.statusCode()).isEqualTo(401);
                    assertThat(expired.body()).contains("expired at " + first.certificate().getNotAfter().toInstant());
                    // the agent's client presents the new one
                    assertThat(node.namespaces().withName("after").get()).isNotNull();
                    assertThat(get(written).statusCode()).isEqualTo(200);
                }
            }
        }
    }

    private static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    private static HttpResponse<String> get(Kubeconfig kubeconfig) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(Tls.clientSSLContext(kubeconfig)).build();
        return http.send(HttpRequest.newBuilder(URI.create(kubeconfig.server() + "/api/v1/namespaces")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
