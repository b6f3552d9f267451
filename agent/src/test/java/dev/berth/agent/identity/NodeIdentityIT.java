package dev.berth.agent.identity;

import dev.berth.core.pki.Pem;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Node credentials, the certificates controller and the serving certificate against a real control plane. */
class NodeIdentityIT {
    @TempDir
    static Path dir;
    static BerthServer server;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws Exception {
        server = new BerthServer(ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0),
                Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        for (String name : List.of("n1", "n2")) {
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                    .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus().build()).create();
        }
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (server != null) server.close();
    }

    private static KubernetesClient nodeClient(String name) throws Exception {
        Path file = dir.resolve(name + ".kubeconfig");
        NodeCredentials.issue(server.pki().ca(), "https://127.0.0.1:" + server.address().getPort(), name,
                NodeCredentials.DEFAULT_VALIDITY).write(file);
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(file))).build();
    }

    @Test
    void nodeCredentialsAuthenticateAsTheNode() throws Exception {
        try (KubernetesClient node = nodeClient("n1")) {
            assertThat(node.nodes().withName("n1").get()).isNotNull();
            // the API server records the requestor of a CSR: a whoami
            var pem = ServingCertificates.certificateRequestPem("n1",
                    new ServingCertificates.Names(Set.of("n1"), Set.of()), ServingCertificates.newKeyPair());
            CertificateSigningRequest created = node.certificates().v1().certificateSigningRequests()
                    .resource(new CertificateSigningRequestBuilder().withNewMetadata().withName("whoami-n1").endMetadata()
                            .withNewSpec().withSignerName("example.com/nobody").withUsages("digital signature")
                            .withUsername("admin").withGroups("system:masters")
                            .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                            .endSpec().build()).create();
            assertThat(created.getSpec().getUsername()).isEqualTo("system:node:n1");
            assertThat(created.getSpec().getGroups()).contains("system:nodes").doesNotContain("system:masters");
        }
    }

    @Test
    void theAgentGetsItsServingCertificateAndBadRequestsStayPending() throws Exception {
        try (KubernetesClient node = nodeClient("n2")) {
            var csrs = node.certificates().v1().certificateSigningRequests();
            String foreign = csrs.resource(request("system:node:n1", Set.of("n1"),
                    ServingCertificates.USAGES)).create().getMetadata().getName();
            String extraSan = csrs.resource(request("system:node:n2", Set.of("n2", "kubernetes.default"),
                    ServingCertificates.USAGES)).create().getMetadata().getName();
            String clientAuth = csrs.resource(request("system:node:n2", Set.of("n2"),
                    List.of("digital signature", "key encipherment", "server auth", "client auth")))
                    .create().getMetadata().getName();

            Path pki = dir.resolve("agent-pki");
            var names = new ServingCertificates.Names(Set.of("n2"), Set.of(InetAddress.getByName("127.0.0.1")));
            try (ServingCertificates serving = new ServingCertificates(node, "n2", () -> names, pki, Clock.systemUTC(),
                    Duration.ofSeconds(30))) {
                var key = serving.obtain();
                assertThat(key.certificate().getSubjectX500Principal().getName()).contains("CN=system:node:n2")
                        .contains("O=system:nodes");
                assertThat(server.pki().ca().signed(key.certificate())).isTrue();
                assertThat(key.certificate().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
                assertThat(Pem.parseCertificate(Files.readString(serving.certificateFile()), "kept"))
                        .isEqualTo(key.certificate());
            }
            // the bad ones were queued before the good one; the single worker has seen them
            for (String bad : List.of(foreign, extraSan, clientAuth)) {
                CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(bad).get();
                assertThat(csr.getStatus() == null ? List.of() : csr.getStatus().getConditions()).as(bad).isEmpty();
            }
            // a second start keeps the certificate it has: no new request
            int before = admin.certificates().v1().certificateSigningRequests().list().getItems().size();
            try (ServingCertificates again = new ServingCertificates(node, "n2", () -> names, pki, Clock.systemUTC(),
                    Duration.ofSeconds(30))) {
                again.obtain();
            }
            assertThat(admin.certificates().v1().certificateSigningRequests().list().getItems()).hasSize(before);
        }
    }

    private static CertificateSigningRequest request(String cn, Set<String> dnsNames, List<String> usages) {
        String nodeName = cn.substring("system:node:".length());
        String pem = ServingCertificates.certificateRequestPem(nodeName,
                new ServingCertificates.Names(dnsNames, Set.of()), ServingCertificates.newKeyPair());
        return new CertificateSigningRequestBuilder().withNewMetadata().withGenerateName("csr-").endMetadata()
                .withNewSpec().withSignerName(ServingCertificates.SIGNER).withUsages(usages)
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .endSpec().build();
    }
}
