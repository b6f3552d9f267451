package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {
    @TempDir Path dir;
    final MutableClock clock = MutableClock.at("2026-01-10T12:00:00Z");
    ClusterCa ca;

    @BeforeEach
    void setUp() {
        ca = ClusterCa.loadOrCreate(dir.resolve("pki"), clock);
    }

    @Test
    void writesATokenKubeconfigOnlyTheOwnerCanReadAndReadsItBack() {
        Path file = dir.resolve("admin.kubeconfig");
        Kubeconfig.withToken("berth", "https://127.0.0.1:6443", ca.certificate(), "admin", "s3cr3t-token").write(file);

        assertThat(mode(file)).isEqualTo("rw-------");
        Kubeconfig read = Kubeconfig.read(file);
        assertThat(read.server()).isEqualTo("https://127.0.0.1:6443");
        assertThat(read.certificateAuthorities()).containsExactly(ca.certificate());
        assertThat(read.token()).isEqualTo("s3cr3t-token");
        assertThat(read.userName()).isEqualTo("admin");
        assertThat(read.contextName()).isEqualTo("admin@berth");
    }

    @Test
    void writesAClientCertificateKubeconfigAndReadsItBack() {
        CertifiedKey node = ca.issueClient("system:node:lab1", List.of("system:nodes"), Duration.ofDays(365));
        Path file = dir.resolve("agent.kubeconfig");
        Kubeconfig.withClientCertificate("berth", "https://10.0.0.1:6443", ca.certificate(), "lab1", node).write(file);

        Kubeconfig read = Kubeconfig.read(file);

        assertThat(read.token()).isNull();
        assertThat(read.credentials()).isInstanceOfSatisfying(Kubeconfig.ClientCertificate.class, c -> {
            assertThat(c.certifiedKey().certificate()).isEqualTo(node.certificate());
            assertThat(((ECPrivateKey) c.certifiedKey().privateKey()).getS())
                    .isEqualTo(((ECPrivateKey) node.privateKey()).getS());
        });
    }

    @Test
    void replacesAnExistingFileWithoutLeavingTemporaryFiles() throws Exception {
        Path file = dir.resolve("admin.kubeconfig");
        Kubeconfig.withToken("berth", "https://127.0.0.1:6443", ca.certificate(), "admin", "first").write(file);
        Kubeconfig.withToken("berth", "https://127.0.0.1:7443", ca.certificate(), "admin", "second").write(file);

        assertThat(Kubeconfig.read(file).token()).isEqualTo("second");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pki", "admin.kubeconfig");
        }
    }

    @Test
    void refusesToWriteAServerThatIsNotHttps() {
        Kubeconfig plain = Kubeconfig.withToken("berth", "http://127.0.0.1:6443", ca.certificate(), "admin", "t");

        assertThatThrownBy(() -> plain.write(dir.resolve("k")))
                .hasMessage("kubeconfig server \"http://127.0.0.1:6443\" must be an https://host:port URL");
    }

    @Test
    void kubectlReadsTheTokenKubeconfig() throws Exception {
        Path file = dir.resolve("admin.kubeconfig");
        Kubeconfig.withToken("berth", "https://127.0.0.1:6443", ca.certificate(), "admin", "tok-123").write(file);

        JsonNode view = kubectlConfigView(file);

        assertThat(view.at("/current-context").asText()).isEqualTo("admin@berth");
        assertThat(view.at("/clusters/0/name").asText()).isEqualTo("berth");
        assertThat(view.at("/clusters/0/cluster/server").asText()).isEqualTo("https://127.0.0.1:6443");
        assertThat(decode(view.at("/clusters/0/cluster/certificate-authority-data").asText()))
                .isEqualTo(ca.certificatePem());
        assertThat(view.at("/users/0/user/token").asText()).isEqualTo("tok-123");
        assertThat(view.at("/contexts/0/context/cluster").asText()).isEqualTo("berth");
        assertThat(view.at("/contexts/0/context/user").asText()).isEqualTo("admin");
    }

    @Test
    void kubectlReadsTheClientCertificateKubeconfig() throws Exception {
        CertifiedKey alice = ca.issueClient("alice", List.of("devs"), Duration.ofDays(1));
        Path file = dir.resolve("alice.kubeconfig");
        Kubeconfig.withClientCertificate("berth", "https://[fd00::1]:6443", ca.certificate(), "alice", alice).write(file);

        JsonNode view = kubectlConfigView(file);

        assertThat(view.at("/clusters/0/cluster/server").asText()).isEqualTo("https://[fd00::1]:6443");
        assertThat(decode(view.at("/users/0/user/client-certificate-data").asText())).isEqualTo(alice.certificatePem());
        assertThat(decode(view.at("/users/0/user/client-key-data").asText())).isEqualTo(alice.privateKeyPem());
    }

    @Test
    void resolvesFileReferencesRelativeToTheKubeconfig() throws Exception {
        CertifiedKey bob = ca.issueClient("bob", List.of(), Duration.ofDays(1));
        Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(dir.resolve("bob.crt"), bob.certificatePem());
        Files.writeString(dir.resolve("bob.key"), bob.privateKeyPem());
        Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: lab
                  cluster: {server: "https://lab:6443", certificate-authority: ca.pem}
                users:
                - name: bob
                  user: {client-certificate: bob.crt, client-key: bob.key}
                contexts:
                - name: only
                  context: {cluster: lab, user: bob}
                """);

        Kubeconfig read = Kubeconfig.read(dir.resolve("config"));

        assertThat(read.server()).isEqualTo("https://lab:6443");
        assertThat(read.certificateAuthorities()).containsExactly(ca.certificate());
        assertThat(((Kubeconfig.ClientCertificate) read.credentials()).certifiedKey().certificate())
                .isEqualTo(bob.certificate());
    }

    @Test
    void explainsWhatIsMissingOrUnsupported() throws Exception {
        Path file = dir.resolve("config");
        String caData = Base64.getEncoder().encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
        Files.writeString(file, """
                clusters: [{name: c, cluster: {server: "https://x:6443", certificate-authority-data: %s}}]
                users: [{name: u, user: {exec: {command: gcloud}}}]
                contexts: [{name: ctx, context: {cluster: c, user: u}}]
                current-context: ctx
                """.formatted(caData));
        assertThatThrownBy(() -> Kubeconfig.read(file)).isInstanceOf(PkiException.class)
                .hasMessage("kubeconfig " + file + ": user \"u\" uses exec, which berth does not support; "
                        + "use a token or a client certificate");

        Files.writeString(file, """
                clusters: [{name: c, cluster: {server: "https://x:6443"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: ctx, context: {cluster: c, user: u}}]
                current-context: ctx
                """);
        assertThatThrownBy(() -> Kubeconfig.read(file))
                .hasMessageStartingWith("kubeconfig " + file + ": cluster \"c\" has neither certificate-authority-data "
                        + "nor certificate-authority");

        Files.writeString(file, """
                clusters: [{name: c, cluster: {server: "https://x:6443", certificate-authority-data: %s}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: ctx, context: {cluster: c, user: nobody}}]
                current-context: ctx
                """.formatted(caData));
        assertThatThrownBy(() -> Kubeconfig.read(file))
                .hasMessage("kubeconfig " + file + ": no user named \"nobody\" in users");
    }

    @Test
    void tokensThatLookLikeOtherYamlValuesSurviveTheRoundTrip() {
        for (String token : List.of("-leading-dash", "_underscore", "12345", "null", "true", "0x1F", "a: b")) {
            String yaml = Kubeconfig.withToken("berth", "https://127.0.0.1:6443", ca.certificate(), "admin", token).toYaml();

            assertThat(Kubeconfig.parse(yaml, "test", dir).token()).as(yaml).isEqualTo(token);
        }
    }

    @Test
    void neverPrintsTheTokenInToString() {
        Kubeconfig kubeconfig = Kubeconfig.withToken("berth", "https://127.0.0.1:6443", ca.certificate(), "admin", "do-not-log");

        assertThat(kubeconfig.toString()).doesNotContain("do-not-log");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    /** {@code kubectl config view --raw -o json}; skipped with the reason when kubectl is missing, failed under CI=true. */
    static JsonNode kubectlConfigView(Path kubeconfig) throws Exception {
        Path kubectl = PkiTesting.kubectl();
        ProcessBuilder builder = new ProcessBuilder(kubectl.toString(), "config", "view",
                "--kubeconfig", kubeconfig.toString(), "--raw", "-o", "json");
        builder.environment().remove("KUBECONFIG");
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("kubectl config view did not finish in 60 s");
        }
        assertThat(process.exitValue()).as("kubectl exit status; stderr: %s", stderr).isZero();
        return new ObjectMapper().readTree(stdout);
    }
}
