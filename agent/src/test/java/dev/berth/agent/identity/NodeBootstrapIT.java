package dev.berth.agent.identity;

import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.provision.BootstrapTokens;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node joins with a bootstrap token: its own key, a CSR approved by the control plane, its own kubeconfig. */
class NodeBootstrapIT {
    @TempDir
    static Path dir;
    static BerthServer server;
    static KubernetesClient admin;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        server = new BerthServer(ServerOptions.defaults(dir.resolve("server")).withListen("127.0.0.1", 0), Clock.systemUTC()).start();
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.adminKubeconfig()))).build();
        url = "https://127.0.0.1:" + server.address().getPort();
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (server != null) server.close();
    }

    static Path bootstrapKubeconfig(String name, String token) {
        Path file = dir.resolve(name);
        Kubeconfig.withToken("berth", url, server.pki().ca().certificate(), "kubelet-bootstrap", token).write(file);
        return file;
    }

    @Test
    void aBootstrapTokenIsExchangedForTheNodesOwnClientCertificate() throws Exception {
        BootstrapTokens tokens = new BootstrapTokens(admin, Clock.systemUTC());
        BootstrapTokens.Token token = tokens.create("lab-pc-7", Duration.ofMinutes(10));
        Path out = dir.resolve("lab-pc-7.kubeconfig");
        NodeBootstrap.bootstrap(bootstrapKubeconfig("boot-7", token.value()), "lab-pc-7", out, Duration.ofSeconds(60));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
        Kubeconfig own = Kubeconfig.read(out);
        assertThat(own.userName()).isEqualTo("system:node:lab-pc-7");
        assertThat(own.server()).isEqualTo(url);
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().list().getItems().stream()
                .filter(c -> NodeBootstrap.SIGNER.equals(c.getSpec().getSignerName())).findFirst().orElseThrow();
        assertThat(csr.getSpec().getUsername()).isEqualTo("system:bootstrap:" + token.id());
        assertThat(csr.getSpec().getGroups()).contains("system:bootstrappers", BootstrapTokens.EXTRA_GROUP);
        assertThat(csr.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("AutoApproved"));

        // the node now acts as itself
        try (KubernetesClient node = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(out))).build()) {
            assertThat(node.namespaces().withName("default").get()).isNotNull();
        }
        // once revoked, the token no longer authenticates
        tokens.revoke(token);
        assertThatThrownBy(() -> NodeBootstrap.bootstrap(bootstrapKubeconfig("boot-7b", token.value()), "lab-pc-7",
                dir.resolve("again.kubeconfig"), Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
    }

    @Test
    void aWrongOrExpiredTokenIsUnauthorized() {
        BootstrapTokens tokens = new BootstrapTokens(admin, Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)));
        BootstrapTokens.Token expired = tokens.create("lab-pc-8", Duration.ofMinutes(10));
        assertThatThrownBy(() -> NodeBootstrap.bootstrap(bootstrapKubeconfig("boot-8", expired.value()), "lab-pc-8",
                dir.resolve("x.kubeconfig"), Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        String wrongSecret = expired.id() + ".0123456789abcdef";
        assertThatThrownBy(() -> NodeBootstrap.bootstrap(bootstrapKubeconfig("boot-8b", wrongSecret), "lab-pc-8",
                dir.resolve("y.kubeconfig"), Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        assertThat(dir.resolve("x.kubeconfig")).doesNotExist();
    }
}
