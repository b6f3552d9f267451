package dev.berth.core.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real kubectl against a real Berth control plane (SQLite store, HTTPS, admin kubeconfig). */
class KubectlAcceptanceIT {
    @TempDir
    static Path dir;
    static BerthServer server;
    static Kubectl kubectl;
    static final Path CORPUS = dev.berth.core.testing.Corpus.examples();

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        server = new BerthServer(ServerOptions.defaults(data).withListen("127.0.0.1", 0), Clock.systemUTC()).start();
        Path home = Files.createDirectories(dir.resolve("home"));
        kubectl = new Kubectl(server.adminKubeconfig(), home);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void namespace(String ns) {
        kubectl.run("create", "namespace", ns).ok();
    }

    private static Path manifest(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private static JsonNode json(String... args) {
        return Json.parse(kubectl.run(args).ok().out().getBytes(StandardCharsets.UTF_8));
    }

    private static final String APP = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: {app: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: web
                    image: registry.local/web:1.0
                    ports: [{containerPort: 8080}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-config}
            data: {mode: production}
            """;

    @Test
    void clientSideApplyCreatesThenReportsUnchanged() throws Exception {
        namespace("apply-cs");
        Path f = manifest("app-cs.yaml", APP);
        assertThat(kubectl.run("apply", "-n", "apply-cs", "-f", f.toString()).ok().out())
                .contains("service/web created", "deployment.apps/web created", "configmap/web-config created");
        assertThat(kubectl.run("apply", "-n", "apply-cs", "-f", f.toString()).ok().out())
                .contains("service/web unchanged", "deployment.apps/web unchanged", "configmap/web-config unchanged");
        Path changed = manifest("app-cs2.yaml", APP.replace("replicas: 2", "replicas: 3"));
        assertThat(kubectl.run("apply", "-n", "apply-cs", "-f", changed.toString()).ok().out())
                .contains("deployment.apps/web configured");
        assertThat(json("get", "deploy", "web", "-n", "apply-cs", "-o", "json").path("spec").path("replicas").asInt())
                .isEqualTo(3);
    }

    @Test
    void serverSideApplyCreatesAndReapplyingChangesNothing() throws Exception {
        namespace("apply-ss");
        Path f = manifest("app-ss.yaml", APP);
        assertThat(kubectl.run("apply", "--server-side", "-n", "apply-ss", "-f", f.toString()).ok().out())
                .contains("deployment.apps/web serverside-applied");
        String rv = json("get", "deploy", "web", "-n", "apply-ss", "-o", "json").path("metadata").path("resourceVersion").asText();
        kubectl.run("apply", "--server-side", "-n", "apply-ss", "-f", f.toString()).ok();
        JsonNode after = json("get", "deploy", "web", "-n", "apply-ss", "-o", "json", "--show-managed-fields");
        assertThat(after.path("metadata").path("resourceVersion").asText()).isEqualTo(rv);
        assertThat(after.path("metadata").path("managedFields").get(0).path("manager").asText()).isEqualTo("kubectl");
        // another manager changing an applied field makes the next apply conflict
        kubectl.run("scale", "deploy", "web", "-n", "apply-ss", "--replicas=5").ok();
        Kubectl.Result conflict = kubectl.run("apply", "--server-side", "-n", "apply-ss", "-f", f.toString());
        assertThat(conflict.exit()).isNotZero();
        assertThat(conflict.err()).contains("conflict", ".spec.replicas");
        kubectl.run("apply", "--server-side", "--force-conflicts", "-n", "apply-ss", "-f", f.toString()).ok();
        assertThat(json("get", "deploy", "web", "-n", "apply-ss", "-o", "json").path("spec").path("replicas").asInt()).isEqualTo(2);
    }

    @Test
    void getShowsTablesWideYamlJsonSelectorsAndAllNamespaces() throws Exception {
        namespace("getting");
        kubectl.run("apply", "-n", "getting", "-f", manifest("app-get.yaml", APP).toString()).ok();
        String table = kubectl.run("get", "deploy", "-n", "getting").ok().out();
        assertThat(table).contains("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE").contains("web");
        assertThat(kubectl.run("get", "deploy", "-n", "getting", "-o", "wide").ok().out())
                .contains("CONTAINERS", "IMAGES", "SELECTOR", "registry.local/web:1.0", "app=web");
        assertThat(kubectl.run("get", "svc", "web", "-n", "getting").ok().out()).contains("ClusterIP", "80/TCP");
        assertThat(kubectl.run("get", "cm", "web-config", "-n", "getting", "-o", "yaml").ok().out())
                .contains("mode: production", "resourceVersion:");
        assertThat(json("get", "svc", "web", "-n", "getting", "-o", "json").path("spec").path("clusterIP").asText())
                .startsWith("10.43.");
        assertThat(kubectl.run("get", "all", "-l", "app=web", "-n", "getting").ok().out()).contains("service/web", "deployment.apps/web");
        assertThat(kubectl.run("get", "cm", "-l", "app=nothing", "-n", "getting").ok().err()).contains("No resources found");
        assertThat(kubectl.run("get", "ns", "-A").ok().out()).contains("kube-system", "getting");
        assertThat(kubectl.run("get", "deploy", "-A").ok().out()).contains("NAMESPACE", "getting");
    }

    @Test
    void watchPrintsChangesAsTheyHappen() throws Exception {
        namespace("watching");
        Path out = dir.resolve("watch.txt");
        Process w = kubectl.start(out, "get", "cm", "-n", "watching", "-w");
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                kubectl.run("create", "cm", "seen-" + System.nanoTime() % 1000, "-n", "watching");
                assertThat(Files.readString(out)).contains("seen-");
            });
        } finally {
            w.destroy();
        }
    }

    @Test
    void describeShowsTheObject() throws Exception {
        namespace("describing");
        kubectl.run("apply", "-n", "describing", "-f", manifest("app-desc.yaml", APP).toString()).ok();
        assertThat(kubectl.run("describe", "deploy", "web", "-n", "describing").ok().out())
                .contains("Name:", "web", "Namespace:", "describing", "Replicas:", "registry.local/web:1.0");
        assertThat(kubectl.run("describe", "svc", "web", "-n", "describing").ok().out()).contains("Selector:", "app=web");
    }

    @Test
    void editThroughAScriptedEditor() throws Exception {
        namespace("editing");
        kubectl.run("create", "cm", "ed", "--from-literal=color=blue", "-n", "editing").ok();
        Path editor = dir.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nsed -i 's/color: blue/color: green/' \"$1\"\n");
        editor.toFile().setExecutable(true);
        kubectl.run(null, Map.of("KUBE_EDITOR", editor.toString()), "edit", "cm", "ed", "-n", "editing").ok();
        assertThat(json("get", "cm", "ed", "-n", "editing", "-o", "json").path("data").path("color").asText()).isEqualTo("green");
    }

    @Test
    void labelAnnotateAndPatchOfAllThreeTypes() throws Exception {
        namespace("patching");
        kubectl.run("apply", "-n", "patching", "-f", manifest("app-patch.yaml", APP).toString()).ok();
        kubectl.run("label", "deploy", "web", "tier=front", "-n", "patching").ok();
        kubectl.run("annotate", "deploy", "web", "owner=lab", "-n", "patching").ok();
        kubectl.run("patch", "deploy", "web", "-n", "patching", "--type=merge", "-p", "{\"spec\":{\"minReadySeconds\":5}}").ok();
        kubectl.run("patch", "deploy", "web", "-n", "patching", "--type=json",
                "-p", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]").ok();
        kubectl.run("patch", "deploy", "web", "-n", "patching", "--type=strategic", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"registry.local/side:1\"}]}}}}").ok();
        JsonNode d = json("get", "deploy", "web", "-n", "patching", "-o", "json");
        assertThat(d.path("metadata").path("labels").path("tier").asText()).isEqualTo("front");
        assertThat(d.path("metadata").path("annotations").path("owner").asText()).isEqualTo("lab");
        assertThat(d.path("spec").path("minReadySeconds").asInt()).isEqualTo(5);
        assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(4);
        List<String> containers = new ArrayList<>();
        d.path("spec").path("template").path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
        assertThat(containers).containsExactlyInAnyOrder("web", "sidecar");
        assertThat(d.path("metadata").path("generation").asLong()).isGreaterThan(1);
        kubectl.run("set", "image", "deploy/web", "web=registry.local/web:2.0", "-n", "patching").ok();
        assertThat(kubectl.run("get", "deploy", "web", "-n", "patching", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
                .ok().out()).isEqualTo("registry.local/web:2.0");
    }

    @Test
    void scaleChangesReplicas() throws Exception {
        namespace("scaling");
        kubectl.run("apply", "-n", "scaling", "-f", manifest("app-scale.yaml", APP).toString()).ok();
        assertThat(kubectl.run("scale", "deploy", "web", "--replicas=7", "-n", "scaling").ok().out()).contains("scaled");
        assertThat(json("get", "deploy", "web", "-n", "scaling", "-o", "json").path("spec").path("replicas").asInt()).isEqualTo(7);
        kubectl.run("scale", "deploy", "web", "--current-replicas=7", "--replicas=1", "-n", "scaling").ok();
        assertThat(json("get", "deploy", "web", "-n", "scaling", "-o", "json").path("spec").path("replicas").asInt()).isEqualTo(1);
    }

    @Test
    void deleteCascadesToDependents() throws Exception {
        namespace("cascade");
        kubectl.run("create", "cm", "owner", "-n", "cascade").ok();
        String uid = json("get", "cm", "owner", "-n", "cascade", "-o", "json").path("metadata").path("uid").asText();
        kubectl.run("apply", "-n", "cascade", "-f", manifest("dependent.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: dependent
                  ownerReferences:
                  - {apiVersion: v1, kind: ConfigMap, name: owner, uid: %s}
                """.formatted(uid)).toString()).ok();
        kubectl.run("delete", "cm", "owner", "-n", "cascade", "--cascade=foreground").ok();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(kubectl.run("get", "cm", "-n", "cascade", "-o", "name").out()).doesNotContain("dependent", "owner"));
    }

    @Test
    void deletingANamespaceDeletesItsContents() throws Exception {
        namespace("doomed");
        kubectl.run("apply", "-n", "doomed", "-f", manifest("app-doomed.yaml", APP).toString()).ok();
        kubectl.run("delete", "namespace", "doomed", "--wait=false").ok();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(kubectl.run("get", "namespace", "doomed").err()).contains("NotFound"));
        assertThat(kubectl.run("get", "deploy", "-n", "doomed").err()).contains("No resources found");
    }

    @Test
    void imperativeCreatesSendProtobufAndWork() {
        kubectl.run("create", "namespace", "made").ok();
        kubectl.run("create", "configmap", "cfg", "--from-literal=k=v", "-n", "made").ok();
        kubectl.run("create", "secret", "generic", "pw", "--from-literal=password=hunter2", "-n", "made").ok();
        kubectl.run("create", "deployment", "dep", "--image=registry.local/app:1", "-n", "made").ok();
        assertThat(json("get", "secret", "pw", "-n", "made", "-o", "json").path("type").asText()).isEqualTo("Opaque");
        assertThat(kubectl.run("get", "secret", "pw", "-n", "made", "-o", "jsonpath={.data.password}").ok().out())
                .isEqualTo("aHVudGVyMg==");
        assertThat(json("get", "deploy", "dep", "-n", "made", "-o", "json").path("spec").path("template").path("spec")
                .path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:1");
    }

    @Test
    void apiResourcesListsTheServedKinds() {
        String out = kubectl.run("api-resources").ok().out();
        assertThat(out).contains("deployments", "deploy", "apps/v1", "Deployment")
                .contains("cronjobs", "batch/v1").contains("customresourcedefinitions").contains("horizontalpodautoscalers");
        assertThat(kubectl.run("version").ok().out()).contains("Server Version: v1.32");
    }

    @Test
    void serverDryRunStoresNothing() throws Exception {
        namespace("dry");
        assertThat(kubectl.run("apply", "--dry-run=server", "-n", "dry", "-f", manifest("app-dry.yaml", APP).toString())
                .ok().out()).contains("(server dry run)");
        assertThat(kubectl.run("get", "deploy,svc,cm", "-n", "dry", "-o", "name").ok().out()).doesNotContain("web");
    }

    @Test
    void listsArePagedInChunks() {
        namespace("paging");
        for (int i = 0; i < 25; i++) {
            kubectl.run("create", "cm", "page-" + i, "-n", "paging").ok();
        }
        Kubectl.Result r = kubectl.run("get", "cm", "-n", "paging", "--chunk-size=10", "-o", "name", "-v=6");
        r.ok();
        assertThat(r.out().lines().filter(l -> l.startsWith("configmap/page-")).count()).isEqualTo(25);
        assertThat(r.err()).contains("limit=10").contains("continue=");
    }

    @Test
    void invalidObjectsAreRefusedWithTheFieldNamed() throws Exception {
        namespace("invalid");
        Kubectl.Result r = kubectl.run("apply", "-n", "invalid", "-f", manifest("bad.yaml", APP.replace("replicas: 2", "replicas: -1")).toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("is invalid", "spec.replicas");
        Kubectl.Result strict = kubectl.run("apply", "-n", "invalid", "-f", manifest("unknown.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: typo}
                dataa: {a: b}
                """).toString());
        assertThat(strict.exit()).isNotZero();
        assertThat(strict.err()).contains("unknown field", "dataa");
    }

    @Test
    void everyCorpusManifestPassesAServerDryRun() throws Exception {
        // the one dependency the corpus itself provides
        kubectl.run("apply", "-f", CORPUS.resolve("admin/namespace-dev.yaml").toString()).ok();
        List<String> failures = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(80);
        for (Path f : files) {
            String rel = CORPUS.relativize(f).toString();
            Kubectl.Result r = kubectl.run("apply", "--dry-run=server", "-f", f.toString());
            boolean expectedToFail = rel.equals("pods/resource/memory-request-limit.yaml") || rel.equals("policy/high-priority-pod.yaml");
            if (expectedToFail) {
                assertThat(r.exit()).as(rel + " needs an object the corpus does not create").isNotZero();
                assertThat(r.err()).containsAnyOf("mem-example", "no PriorityClass with name high was found");
            } else if (r.exit() != 0) {
                failures.add(rel + ": " + r.err().strip());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void anApprovedCertificateSigningRequestGivesACertificateThatAuthenticates() throws Exception {
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
        gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair keys = gen.generateKeyPair();
        var csr = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=alice,O=lab"), keys.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(csr.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        kubectl.run("apply", "-f", manifest("csr.yaml", """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata: {name: alice}
                spec:
                  request: %s
                  signerName: kubernetes.io/kube-apiserver-client
                  usages: [client auth]
                """.formatted(java.util.Base64.getEncoder().encodeToString(pem.getBytes()))).toString()).ok();
        assertThat(kubectl.run("get", "csr", "alice").ok().out()).contains("Pending");
        kubectl.run("certificate", "approve", "alice").ok();
        String cert = new String(java.util.Base64.getDecoder().decode(
                kubectl.run("get", "csr", "alice", "-o", "jsonpath={.status.certificate}").ok().out()));
        assertThat(cert).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(kubectl.run("get", "csr", "alice").ok().out()).contains("Approved,Issued");

        // a kubeconfig with that certificate (and no token) is accepted
        var certificate = dev.berth.core.pki.Pem.parseCertificate(cert, "the CSR status");
        var admin = dev.berth.core.pki.Kubeconfig.read(server.adminKubeconfig());
        Path aliceConfig = dir.resolve("alice.kubeconfig");
        dev.berth.core.pki.Kubeconfig.withClientCertificate(admin.clusterName(), admin.server(),
                admin.certificateAuthorities().getFirst(), "alice",
                new dev.berth.core.pki.CertifiedKey(certificate, keys.getPrivate())).write(aliceConfig);
        Kubectl alice = new Kubectl(aliceConfig, Files.createDirectories(dir.resolve("alice-home")));
        // she is who the certificate says; what she may do is RBAC's to say, and she has no role yet
        assertThat(alice.run("auth", "whoami").ok().out()).contains("alice").contains("lab");
        Kubectl.Result denied = alice.run("get", "namespaces");
        assertThat(denied.exit()).isNotZero();
        assertThat(denied.err()).contains("User \"alice\" cannot list resource \"namespaces\"");
        kubectl.run("create", "clusterrolebinding", "alice-view", "--clusterrole=view", "--user=alice").ok();
        await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(alice.run("get", "namespaces").ok().out()).contains("default"));
    }
}
