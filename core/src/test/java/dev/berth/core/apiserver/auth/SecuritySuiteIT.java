package dev.berth.core.apiserver.auth;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.testing.Kubectl;
import dev.berth.core.users.Users;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The security suite: a real control plane (API server, controllers) with Node and RBAC
 * authorization, called by users, nodes and service accounts with their own credentials through
 * fabric8 and the real kubectl. Certificate rotation runs on control planes of its own, on a clock
 * the tests move: the serving certificate rotates under an open watch, users renew without
 * downtime, an expired certificate gets a 401 naming its expiry, and a node cannot get another
 * node's certificate (the node's own renewal is proven in the agent's NodeClientCertificatesIT).
 */
class SecuritySuiteIT {
    @TempDir
    static Path dir;

    private static BerthServer server;
    private static KubernetesClient admin;
    private static final List<KubernetesClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // a per-user rate low enough that a flood trips it at once, high enough for every other test here
        server = new BerthServer(ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withFlowControl(dev.berth.core.apiserver.flowcontrol.FlowControl.Settings.defaults().withUserRate(20, 60)),
                Clock.systemUTC()).start();
        admin = client(server.adminKubeconfig());
        for (String ns : List.of("team-a", "team-b")) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
    }

    @AfterAll
    static void stop() {
        clients.forEach(KubernetesClient::close);
        if (server != null) {
            server.close();
        }
    }

    private static KubernetesClient client(Path kubeconfig) throws Exception {
        Config c = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .withRequestRetryBackoffLimit(0).build();
        KubernetesClient k = new KubernetesClientBuilder().withConfig(c).build();
        clients.add(k);
        return k;
    }

    private static Path addUser(String name, String role, String namespace) {
        Kubeconfig admin = Kubeconfig.read(server.adminKubeconfig());
        Kubeconfig k = new Users(SecuritySuiteIT.admin, Clock.systemUTC()).add(name, role, namespace, admin.server(),
                admin.certificateAuthorities().getFirst(), Duration.ofDays(1));
        Path file = dir.resolve(name + ".kubeconfig");
        k.write(file);
        return file;
    }

    private static KubernetesClient userClient(String name, String role, String namespace) throws Exception {
        KubernetesClient c = client(addUser(name, role, namespace));
        // the binding reaches the authorizer through the watch cache
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> c.configMaps().inNamespace(namespace == null ? "default" : namespace).list() != null);
        return c;
    }

    private static KubernetesClient nodeClient(String node) throws Exception {
        CertifiedKey key = server.pki().ca().issueClient("system:node:" + node, List.of("system:nodes"), Duration.ofDays(1));
        Kubeconfig admin = Kubeconfig.read(server.adminKubeconfig());
        Path file = dir.resolve(node + ".kubeconfig");
        Kubeconfig.withClientCertificate("berth", admin.server(), admin.certificateAuthorities().getFirst(),
                "system:node:" + node, key).write(file);
        return client(file);
    }

    private static KubernetesClientException refused(Executable call) {
        try {
            call.execute();
        } catch (KubernetesClientException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a refusal from the API server, got " + t, t);
        }
        throw new AssertionError("expected a refusal from the API server, but the call succeeded");
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
    }

    @Test
    void aRequestWithoutCredentialsIsUnauthorized() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(dev.berth.core.pki.Tls.clientSSLContext(server.pki().ca().certificate(), null)).build();
        String base = "https://127.0.0.1:" + server.address().getPort();
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"reason\":\"Unauthorized\"");
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods"))
                .header("Authorization", "Bearer not-a-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        // health stays open, as kube-apiserver's public-info paths
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void aViewerReadsButCannotWrite() throws Exception {
        KubernetesClient viewer = userClient("viewer", "view", null);
        assertThat(viewer.pods().inNamespace("default").list().getItems()).isNotNull();
        KubernetesClientException e = refused(() -> viewer.pods().inNamespace("default").resource(new PodBuilder()
                .withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer().endSpec()
                .build()).create());
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(message(e)).isEqualTo("pods is forbidden: User \"viewer\" cannot create resource \"pods\" in API"
                + " group \"\" in the namespace \"default\"");
        // view does not read secrets
        assertThat(refused(() -> viewer.secrets().inNamespace("default").list()).getCode()).isEqualTo(403);
        assertThat(message(refused(() -> viewer.pods().inNamespace("default").withName("web").delete())))
                .isEqualTo("pods \"web\" is forbidden: User \"viewer\" cannot delete resource \"pods\" in API group \"\""
                        + " in the namespace \"default\"");
    }

    @Test
    void aNamespaceEditorCannotTouchOtherNamespaces() throws Exception {
        KubernetesClient editor = userClient("editor", "edit", "team-a");
        editor.configMaps().inNamespace("team-a").resource(new ConfigMapBuilder().withNewMetadata().withName("cfg")
                .endMetadata().withData(Map.of("k", "v")).build()).create();
        assertThat(editor.secrets().inNamespace("team-a").list().getItems()).isEmpty();
        KubernetesClientException e = refused(() -> editor.configMaps().inNamespace("team-b").resource(
                new ConfigMapBuilder().withNewMetadata().withName("cfg").endMetadata().build()).create());
        assertThat(message(e)).isEqualTo("configmaps is forbidden: User \"editor\" cannot create resource"
                + " \"configmaps\" in API group \"\" in the namespace \"team-b\"");
        assertThat(refused(() -> editor.pods().inNamespace("team-b").list()).getCode()).isEqualTo(403);
        assertThat(refused(() -> editor.pods().inAnyNamespace().list()).getCode()).isEqualTo(403);
        assertThat(refused(() -> editor.nodes().list()).getCode()).isEqualTo(403);
        // edit holds no RBAC writes: it cannot grant itself more
        assertThat(refused(() -> editor.rbac().roles().inNamespace("team-a").resource(new RoleBuilder()
                .withNewMetadata().withName("r").endMetadata().build()).create()).getCode()).isEqualTo(403);
    }

    @Test
    void rolesLabelledForAggregationJoinAdminEditAndView() throws Exception {
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder()
                .withNewMetadata().withName("widgets-reader")
                .withLabels(Map.of("rbac.authorization.k8s.io/aggregate-to-view", "true")).endMetadata()
                .addToRules(new PolicyRuleBuilder().withApiGroups("example.com").withResources("widgets")
                        .withVerbs("get", "list").build())
                .build()).create();
        // the controllers start once the leader election is won and their caches are full: give them time
        for (String role : List.of("view", "edit", "admin")) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                    admin.rbac().clusterRoles().withName(role).get().getRules())
                    .anySatisfy(r -> assertThat(r.getResources()).containsExactly("widgets")));
        }
        admin.rbac().clusterRoles().withName("widgets-reader").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                admin.rbac().clusterRoles().withName("view").get().getRules())
                .noneSatisfy(r -> assertThat(r.getResources()).containsExactly("widgets")));
    }

    @Test
    void grantingPermissionsNotHeldIsRefused() throws Exception {
        KubernetesClient nsAdmin = userClient("ns-admin", "admin", "team-a");
        // within what admin holds in team-a: allowed
        nsAdmin.rbac().roles().inNamespace("team-a").resource(new RoleBuilder()
                .withNewMetadata().withName("secret-reader").endMetadata()
                .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("get").build())
                .build()).create();
        nsAdmin.rbac().roleBindings().inNamespace("team-a").resource(new RoleBindingBuilder()
                .withNewMetadata().withName("viewers").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("someone").endSubject()
                .build()).create();
        // more than it holds: refused, naming what is missing
        KubernetesClientException e = refused(() -> nsAdmin.rbac().roles().inNamespace("team-a").resource(new RoleBuilder()
                .withNewMetadata().withName("nodes").endMetadata()
                .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("nodes").withVerbs("list").build())
                .build()).create());
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(message(e)).isEqualTo("roles.rbac.authorization.k8s.io \"nodes\" is forbidden: user \"ns-admin\""
                + " (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                + "{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"list\"]}");
        KubernetesClientException bind = refused(() -> nsAdmin.rbac().roleBindings().inNamespace("team-a").resource(
                new RoleBindingBuilder().withNewMetadata().withName("root").endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("ns-admin")
                        .endSubject().build()).create());
        assertThat(bind.getCode()).isEqualTo(403);
        assertThat(message(bind)).startsWith("rolebindings.rbac.authorization.k8s.io \"root\" is forbidden: user"
                + " \"ns-admin\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:");
        // with the bind verb on that role, the same binding is allowed
        admin.rbac().roles().inNamespace("team-a").resource(new RoleBuilder().withNewMetadata().withName("may-bind-view")
                .endMetadata().addToRules(new PolicyRuleBuilder().withApiGroups("rbac.authorization.k8s.io")
                        .withResources("clusterroles").withResourceNames("cluster-admin").withVerbs("bind").build())
                .build()).create();
        admin.rbac().roleBindings().inNamespace("team-a").resource(new RoleBindingBuilder()
                .withNewMetadata().withName("ns-admin-may-bind").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "may-bind-view")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("ns-admin").endSubject()
                .build()).create();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> nsAdmin.rbac().roleBindings()
                .inNamespace("team-a").resource(new RoleBindingBuilder().withNewMetadata().withName("root").endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("someone")
                        .endSubject().build()).create() != null);
    }

    @Test
    void aNodeReadsOnlyTheSecretsOfItsOwnPodsAndChangesOnlyItself() throws Exception {
        for (String n : List.of("node-a", "node-b")) {
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata().build()).create();
        }
        admin.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("only-b")
                .endMetadata().withStringData(Map.of("k", "v")).build()).create();
        admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("on-b").endMetadata()
                .withNewSpec().withNodeName("node-b")
                .addNewContainer().withName("c").withImage("busybox:1.36").endContainer()
                .addNewVolume().withName("s").withNewSecret().withSecretName("only-b").endSecret().endVolume()
                .endSpec().build()).create();
        KubernetesClient nodeA = nodeClient("node-a");
        KubernetesClient nodeB = nodeClient("node-b");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> nodeB.secrets().inNamespace("default").withName("only-b").get() != null);
        KubernetesClientException e = refused(() -> nodeA.secrets().inNamespace("default").withName("only-b").get());
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(message(e)).isEqualTo("secrets \"only-b\" is forbidden: User \"system:node:node-a\" cannot get"
                + " resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between"
                + " node 'node-a' and this object");
        assertThat(refused(() -> nodeB.secrets().inNamespace("default").list()).getCode()).isEqualTo(403);
        // its own Node: yes; another: no
        nodeA.nodes().withName("node-a").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}");
        assertThat(refused(() -> nodeA.nodes().withName("node-b").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}")).getCode()).isEqualTo(403);
        assertThat(message(refused(() -> nodeA.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-c")
                .endMetadata().build()).create())))
                .isEqualTo("nodes \"node-c\" is forbidden: node \"node-a\" is not allowed to modify node \"node-c\"");
        // pods bound elsewhere: not its to change or delete
        assertThat(refused(() -> nodeA.pods().inNamespace("default").withName("on-b").delete()).getCode()).isEqualTo(403);
        assertThat(refused(() -> nodeA.pods().inNamespace("default").withName("on-b").editStatus(
                p -> new PodBuilder(p).editOrNewStatus().withPhase("Failed").endStatus().build())).getCode())
                .isEqualTo(403);
        nodeB.pods().inNamespace("default").withName("on-b").editStatus(
                p -> new PodBuilder(p).editOrNewStatus().withMessage("seen by node-b").endStatus().build());
        // what proxy rules and DNS need, cluster-wide
        assertThat(nodeA.services().inAnyNamespace().list().getItems()).isNotEmpty();
        assertThat(nodeA.pods().inAnyNamespace().withField("spec.nodeName", "node-a").list().getItems()).isEmpty();
        assertThat(nodeA.discovery().v1().endpointSlices().inAnyNamespace().list()).isNotNull();
        // no other writes
        assertThat(refused(() -> nodeA.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("x").endMetadata().build()).create()).getCode()).isEqualTo(403);
    }

    @Test
    void aServiceAccountTokenIsScopedToItsRole() throws Exception {
        admin.serviceAccounts().inNamespace("team-b").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("robot").endMetadata().build()).create();
        admin.configMaps().inNamespace("team-b").resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
                .endMetadata().withData(Map.of("k", "v")).build()).create();
        admin.rbac().roles().inNamespace("team-b").resource(new RoleBuilder().withNewMetadata().withName("cm-reader")
                .endMetadata().addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                        .withVerbs("get").build()).build()).create();
        admin.rbac().roleBindings().inNamespace("team-b").resource(new RoleBindingBuilder().withNewMetadata()
                .withName("robot-reads").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "cm-reader")
                .addNewSubject().withKind("ServiceAccount").withName("robot").endSubject().build()).create();
        String token = admin.serviceAccounts().inNamespace("team-b").withName("robot").tokenRequest(
                new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
                .getStatus().getToken();
        Kubeconfig a = Kubeconfig.read(server.adminKubeconfig());
        Path file = dir.resolve("robot.kubeconfig");
        Kubeconfig.withToken("berth", a.server(), a.certificateAuthorities().getFirst(), "robot", token).write(file);
        KubernetesClient robot = client(file);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> robot.configMaps().inNamespace("team-b").withName("settings").get() != null);
        assertThat(refused(() -> robot.configMaps().inNamespace("team-b").list()).getCode()).isEqualTo(403);
        assertThat(refused(() -> robot.secrets().inNamespace("team-b").list()).getCode()).isEqualTo(403);
        assertThat(message(refused(() -> robot.configMaps().inNamespace("team-a").withName("cfg").get())))
                .isEqualTo("configmaps \"cfg\" is forbidden: User \"system:serviceaccount:team-b:robot\" cannot get"
                        + " resource \"configmaps\" in API group \"\" in the namespace \"team-a\"");
    }

    @Test
    void kubectlAuthCanIAnswersForTheUserAndForWhomItImpersonates() throws Exception {
        Path kubeconfig = addUser("looker", "view", "team-a");
        Path home = Files.createDirectories(dir.resolve("home-looker"));
        Kubectl looker = new Kubectl(kubeconfig, home);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(looker.run("auth", "can-i", "list", "pods", "-n", "team-a").out().trim()).isEqualTo("yes"));
        Kubectl.Result no = looker.run("auth", "can-i", "create", "pods", "-n", "team-a");
        assertThat(no.out().trim()).isEqualTo("no");
        assertThat(no.exit()).isEqualTo(1);
        assertThat(looker.run("auth", "can-i", "get", "pods/log", "-n", "team-a").out().trim()).isEqualTo("yes");
        assertThat(looker.run("auth", "can-i", "list", "pods", "-n", "team-b").out().trim()).isEqualTo("no");
        String list = looker.run("auth", "can-i", "--list", "-n", "team-a").ok().out();
        assertThat(list).contains("pods ").contains("selfsubjectaccessreviews.authorization.k8s.io");
        assertThat(looker.run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").ok().out()).isEqualTo("looker");

        Kubectl root = new Kubectl(server.adminKubeconfig(), Files.createDirectories(dir.resolve("home-admin")));
        assertThat(root.run("auth", "can-i", "delete", "nodes").out().trim()).isEqualTo("yes");
        assertThat(root.run("auth", "can-i", "create", "pods", "-n", "team-a", "--as", "looker").out().trim()).isEqualTo("no");
        assertThat(root.run("auth", "can-i", "get", "pods", "-n", "team-a", "--as", "looker").out().trim()).isEqualTo("yes");
        Kubectl.Result impersonating = looker.run("get", "pods", "-n", "team-a", "--as", "admin");
        assertThat(impersonating.exit()).isNotZero();
        assertThat(impersonating.err()).contains("users \"admin\" is forbidden: User \"looker\" cannot impersonate"
                + " resource \"users\" in API group \"\" at the cluster scope");
    }

    @Test
    void removingAUserRevokesItsCertificateAtOnce() throws Exception {
        KubernetesClient leaver = userClient("leaver", "view", null);
        assertThat(leaver.namespaces().list().getItems()).isNotEmpty();
        Users users = new Users(admin, Clock.systemUTC());
        assertThat(users.list()).anySatisfy(u -> {
            assertThat(u.name()).isEqualTo("leaver");
            assertThat(u.role()).isEqualTo("view");
        });
        users.remove("leaver");
        assertThat(users.list()).noneSatisfy(u -> assertThat(u.name()).isEqualTo("leaver"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(refused(() -> leaver.namespaces().list()).getCode()).isEqualTo(401));
        // a new certificate for the same name is a new serial: not revoked
        KubernetesClient back = userClient("leaver", "view", null);
        assertThat(back.namespaces().list().getItems()).isNotEmpty();
        assertThat(refused(() -> leaver.namespaces().list()).getCode()).isEqualTo(401);
    }

    @Test
    void theAdminKubeconfigStaysAllPowerful() {
        assertThat(admin.rbac().clusterRoleBindings().withName("cluster-admin").get().getSubjects())
                .anySatisfy(s -> assertThat(s.getName()).isEqualTo("system:masters"));
        admin.rbac().clusterRoleBindings().withName("cluster-admin").delete();
        try {
            // system:masters is allowed everything whatever the bindings, as in kube-apiserver
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.rbac().clusterRoleBindings()
                    .withName("cluster-admin").get() == null);
            assertThat(admin.secrets().inAnyNamespace().list()).isNotNull();
        } finally {
            admin.rbac().clusterRoleBindings().resource(dev.berth.core.apiserver.auth.rbac.BootstrapPolicy
                    .clusterRoleBindings().getFirst()).create();
        }
    }

    // ---- Pod Security, audit, fairness, secrets at rest ----------------------------------------

    @Test
    void aRestrictedNamespaceRefusesAPrivilegedPod() {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("locked")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
        KubernetesClientException e = refused(() -> admin.pods().inNamespace("locked").resource(new PodBuilder()
                .withNewMetadata().withName("root").endMetadata().withNewSpec().withHostNetwork(true)
                .addNewVolume().withName("host").withNewHostPath().withPath("/").endHostPath().endVolume()
                .addNewContainer().withName("c").withImage("busybox:1.36").withNewSecurityContext().withPrivileged(true)
                .withRunAsUser(0L).endSecurityContext().endContainer().endSpec().build()).create());
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(message(e)).startsWith("pods \"root\" is forbidden: violates PodSecurity \"restricted:latest\": "
                + "host namespaces (hostNetwork=true), privileged (container \"c\" must not set securityContext.privileged=true), ")
                .contains("restricted volume types (volume \"host\" uses restricted volume type \"hostPath\")",
                        "runAsUser=0 (container \"c\" must not set runAsUser=0)");
    }

    private static List<JsonNode> auditEvents() throws Exception {
        Path log = dir.resolve("data").resolve("audit").resolve("audit.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(l -> Json.parse(l.getBytes(StandardCharsets.UTF_8))).toList();
    }

    private static JsonNode auditEvent(String user, String verb, String resource, String namespace, String name)
            throws Exception {
        return auditEvents().stream().filter(e -> e.path("user").path("username").asText().equals(user)
                && e.path("verb").asText().equals(verb)
                && e.path("objectRef").path("resource").asText().equals(resource)
                && e.path("objectRef").path("namespace").asText().equals(namespace)
                && e.path("objectRef").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no audit event for " + user + " " + verb + " " + resource + " "
                        + namespace + "/" + name));
    }

    @Test
    void everyWriteAndEveryRefusalLeavesAnAuditRecordWithoutSecretData() throws Exception {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("audited").endMetadata().build())
                .create();
        KubernetesClient auditee = userClient("auditee", "edit", "audited");
        auditee.configMaps().inNamespace("audited").resource(new ConfigMapBuilder().withNewMetadata().withName("audited")
                .endMetadata().withData(Map.of("k", "v")).build()).create();
        auditee.configMaps().inNamespace("audited").withName("audited").edit(c -> {
            c.getData().put("k", "w");
            return c;
        });
        auditee.configMaps().inNamespace("audited").withName("audited").delete();
        refused(() -> auditee.configMaps().inNamespace("team-b").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("audited").endMetadata().build()).create());
        String secretValue = "correct-horse-battery-staple-" + System.nanoTime();
        auditee.secrets().inNamespace("audited").resource(new SecretBuilder().withNewMetadata().withName("audited")
                .endMetadata().withStringData(Map.of("password", secretValue)).build()).create();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode created = auditEvent("auditee", "create", "configmaps", "audited", "audited");
            assertThat(created.path("kind").asText()).isEqualTo("Event");
            assertThat(created.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
            assertThat(created.path("level").asText()).isEqualTo("Metadata");
            assertThat(created.path("stage").asText()).isEqualTo("ResponseComplete");
            assertThat(created.path("responseStatus").path("code").asInt()).isEqualTo(201);
            assertThat(created.path("user").path("groups").toString()).contains("system:authenticated");
            assertThat(created.path("sourceIPs").get(0).asText()).isEqualTo("127.0.0.1");
            assertThat(created.path("userAgent").asText()).isNotEmpty();
            assertThat(created.path("requestReceivedTimestamp").asText()).matches("\\d{4}-.*T.*\\.\\d{6}Z");
            assertThat(created.path("annotations").path("authorization.k8s.io/decision").asText()).isEqualTo("allow");
            assertThat(auditEvent("auditee", "patch", "configmaps", "audited", "audited")
                    .path("responseStatus").path("code").asInt()).isEqualTo(200);
            assertThat(auditEvent("auditee", "delete", "configmaps", "audited", "audited")
                    .path("responseStatus").path("code").asInt()).isEqualTo(200);
            JsonNode denied = auditEvent("auditee", "create", "configmaps", "team-b", "");
            assertThat(denied.path("responseStatus").path("code").asInt()).isEqualTo(403);
            assertThat(denied.path("responseStatus").path("reason").asText()).isEqualTo("Forbidden");
            assertThat(denied.path("annotations").path("authorization.k8s.io/decision").asText()).isEqualTo("forbid");
            assertThat(auditEvent("auditee", "create", "secrets", "audited", "audited")
                    .path("responseStatus").path("code").asInt()).isEqualTo(201);
        });
        String log = Files.readString(dir.resolve("data").resolve("audit").resolve("audit.log"));
        assertThat(log).doesNotContain(secretValue)
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(secretValue.getBytes(StandardCharsets.UTF_8)));
        // reads are not recorded, refusals are
        assertThat(auditEvents().stream().filter(e -> List.of("get", "list", "watch").contains(e.path("verb").asText())))
                .allSatisfy(e -> assertThat(e.path("responseStatus").path("code").asInt()).isIn(401, 403, 429));
    }

    @Test
    void aFloodFromOneUserGets429sWhileAnotherUserIsStillServed() throws Exception {
        userClient("flooder", "view", null);
        KubernetesClient patient = userClient("patient", "view", null);
        Kubeconfig flooder = Kubeconfig.read(dir.resolve("flooder.kubeconfig"));
        HttpClient http = HttpClient.newBuilder().sslContext(dev.berth.core.pki.Tls.clientSSLContext(flooder)).build();
        URI uri = URI.create(flooder.server() + "/api/v1/namespaces/default/configmaps");
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            flood.add(http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
        }
        // the other user is served while the flood is on
        assertThat(patient.configMaps().inNamespace("default").list()).isNotNull();
        List<HttpResponse<String>> answers = flood.stream().map(java.util.concurrent.CompletableFuture::join).toList();
        List<HttpResponse<String>> throttled = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(throttled).isNotEmpty();
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 429));
        HttpResponse<String> one = throttled.getFirst();
        assertThat(one.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        JsonNode status = Json.parse(one.body().getBytes(StandardCharsets.UTF_8));
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("TooManyRequests");
        assertThat(status.path("code").asInt()).isEqualTo(429);
        assertThat(status.path("details").path("retryAfterSeconds").asInt()).isPositive();
        assertThat(patient.configMaps().inNamespace("default").list()).isNotNull();
        // throttled requests are refusals: audited
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(auditEvents()).anySatisfy(e -> {
            assertThat(e.path("user").path("username").asText()).isEqualTo("flooder");
            assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(429);
        }));
    }

    @Test
    void theStoresFilesContainNoSecretPlaintext() throws Exception {
        String plaintext = "hunter2-" + System.nanoTime();
        admin.secrets().inNamespace("kube-public").resource(new SecretBuilder().withNewMetadata().withName("at-rest")
                .addToAnnotations("note", "annotations are encrypted too: " + plaintext).endMetadata()
                .withStringData(Map.of("password", plaintext)).build()).create();
        assertThat(admin.secrets().inNamespace("kube-public").withName("at-rest").get().getData()).containsKey("password");
        List<byte[]> needles = List.of(plaintext.getBytes(StandardCharsets.UTF_8),
                java.util.Base64.getEncoder().encode(plaintext.getBytes(StandardCharsets.UTF_8)));
        List<Path> files;
        try (var walk = Files.walk(dir.resolve("data"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anySatisfy(f -> assertThat(f.getFileName().toString()).contains("db"));
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            for (byte[] needle : needles) {
                assertThat(indexOf(content, needle)).as("secret plaintext in %s", f).isEqualTo(-1);
            }
        }
    }

    // ---- certificate rotation ----------------------------------------------------------------

    @Test
    void aNodeCannotGetACertificateForAnotherNodesName() throws Exception {
        KubernetesClient nodeA = nodeClient("rot-a");
        var csrs = nodeA.certificates().v1().certificateSigningRequests();
        // node rot-a asks for rot-b's identity: left pending for a person, never auto-approved
        String forB = csrs.resource(nodeCsr("csr-a-for-b", "rot-b")).create().getMetadata().getName();
        assertThat(csrs.withName(forB).get().getSpec().getUsername()).isEqualTo("system:node:rot-a");
        // its own renewal, queued after, is approved and signed: by then the other one was looked at
        String own = csrs.resource(nodeCsr("csr-a-for-a", "rot-a")).create().getMetadata().getName();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var c = csrs.withName(own).get();
            return c.getStatus() != null && c.getStatus().getCertificate() != null && !c.getStatus().getCertificate().isEmpty();
        });
        var other = admin.certificates().v1().certificateSigningRequests().withName(forB).get();
        assertThat(other.getStatus() == null ? List.of() : other.getStatus().getConditions()).isEmpty();
        // nor may the node approve it itself
        KubernetesClientException e = refused(() -> csrs.withName(forB).approve());
        assertThat(e.getCode()).isEqualTo(403);
    }

    private static io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest nodeCsr(String name, String node)
            throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var pair = generator.generateKeyPair();
        var request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500NameBuilder(org.bouncycastle.asn1.x500.style.BCStyle.INSTANCE)
                        .addRDN(org.bouncycastle.asn1.x500.style.BCStyle.O, "system:nodes")
                        .addRDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, "system:node:" + node).build(), pair.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(request.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        return new io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withUsages("digital signature", "client auth")
                .withRequest(java.util.Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .endSpec().build();
    }

    /**
     * A control plane of its own on a clock the test moves. Certificates are checked against the
     * real clock during TLS handshakes, so the fake clock starts {@code behind} real time and
     * certificates live long enough to stay valid in real time while the test runs.
     */
    private static BerthServer rotatingServer(String name, dev.berth.core.controller.runtime.FakeClock clock,
                                              dev.berth.core.pki.RotationPolicy policy) throws Exception {
        return new BerthServer(ServerOptions.defaults(dir.resolve(name)).withListen("127.0.0.1", 0)
                .withCertificates(policy), clock).start();
    }

    /** The certificate a new client is served, through a new TLS context (no session to resume). */
    private static java.security.cert.X509Certificate servedCertificate(BerthServer s) throws Exception {
        var factory = dev.berth.core.pki.Tls.clientSSLContext(s.pki().ca().certificate(), null).getSocketFactory();
        try (var socket = (javax.net.ssl.SSLSocket) factory.createSocket("127.0.0.1", s.address().getPort())) {
            socket.startHandshake();
            return (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void theServingCertificateRotatesWhileAWatchStaysOpen() throws Exception {
        var clock = new dev.berth.core.controller.runtime.FakeClock(java.time.Instant.now().minus(Duration.ofHours(9)));
        var policy = dev.berth.core.pki.RotationPolicy.defaults().withLifetime(Duration.ofHours(10))
                .withCheckEvery(Duration.ofMillis(100));
        try (BerthServer rotating = rotatingServer("rotating-serving", clock, policy);
             KubernetesClient client = new KubernetesClientBuilder().withConfig(
                     Config.fromKubeconfig(Files.readString(rotating.adminKubeconfig()))).build()) {
            var first = servedCertificate(rotating);
            assertThat(first.getSerialNumber()).isEqualTo(rotating.certificates().serving().certifiedKey()
                    .certificate().getSerialNumber());
            var events = new java.util.concurrent.LinkedBlockingQueue<String>();
            var closed = new java.util.concurrent.atomic.AtomicReference<Object>();
            try (var watch = client.configMaps().inNamespace("default").watch(
                    new io.fabric8.kubernetes.client.Watcher<io.fabric8.kubernetes.api.model.ConfigMap>() {
                        @Override
                        public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap cm) {
                            events.add(action + " " + cm.getMetadata().getName());
                        }

                        @Override
                        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                            closed.set(cause == null ? "closed" : cause);
                        }
                    })) {
                client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                        .withName("before").endMetadata().build()).create();
                await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED before"));

                clock.advance(Duration.ofHours(9));   // past 90% of the certificate's life: due whatever the jitter
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        !servedCertificate(rotating).getSerialNumber().equals(first.getSerialNumber()));
                var second = servedCertificate(rotating);
                assertThat(second.getSubjectAlternativeNames()).containsAll(first.getSubjectAlternativeNames());
                assertThat(second.getNotAfter()).isAfter(first.getNotAfter());
                assertThat(rotating.pki().servingCertificate().certificateFile()).content()
                        .isEqualTo(dev.berth.core.pki.Pem.encode(second));

                // the watch made before the rotation still delivers, on its old connection
                client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                        .withName("after").endMetadata().build()).create();
                await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED after"));
                assertThat(closed.get()).isNull();
                // a new client works against the new certificate
                try (KubernetesClient fresh = new KubernetesClientBuilder().withConfig(
                        Config.fromKubeconfig(Files.readString(rotating.adminKubeconfig()))).build()) {
                    assertThat(fresh.configMaps().inNamespace("default").withName("after").get()).isNotNull();
                }
            }
        }
    }

    @Test
    void userRenewGivesAWorkingKubeconfigWhileTheOldOneWorksUntilItExpires() throws Exception {
        var clock = new dev.berth.core.controller.runtime.FakeClock(java.time.Instant.now());
        try (BerthServer rotating = rotatingServer("rotating-users", clock,
                dev.berth.core.pki.RotationPolicy.defaults().withCheckEvery(Duration.ofMillis(100)));
             KubernetesClient rotatingAdmin = new KubernetesClientBuilder().withConfig(
                     Config.fromKubeconfig(Files.readString(rotating.adminKubeconfig()))).build()) {
            Kubeconfig adminConfig = Kubeconfig.read(rotating.adminKubeconfig());
            Users users = new Users(rotatingAdmin, clock);
            Kubeconfig old = users.add("renewer", "view", null, adminConfig.server(),
                    adminConfig.certificateAuthorities().getFirst(), Duration.ofHours(1));
            var oldCertificate = ((Kubeconfig.ClientCertificate) old.credentials()).certifiedKey().certificate();
            assertThat(users.find("renewer").notAfter()).isEqualTo(oldCertificate.getNotAfter().toInstant());
            await().atMost(Duration.ofSeconds(10)).until(() -> get(old, "/api/v1/namespaces").statusCode() == 200);

            clock.advance(Duration.ofMinutes(55));   // in the last 10% of its life
            assertThat(users.find("renewer").expiringSoon(clock.instant())).isTrue();
            Kubeconfig renewed = users.renew("renewer", adminConfig.server(), adminConfig.certificateAuthorities().getFirst(),
                    Duration.ofHours(5));
            var newCertificate = ((Kubeconfig.ClientCertificate) renewed.credentials()).certifiedKey().certificate();
            assertThat(newCertificate.getSerialNumber()).isNotEqualTo(oldCertificate.getSerialNumber());
            Users.User listed = users.find("renewer");
            assertThat(listed.serials()).hasSize(2);
            assertThat(listed.notAfter()).isEqualTo(newCertificate.getNotAfter().toInstant());
            assertThat(listed.expiringSoon(clock.instant())).isFalse();
            // both work: no downtime while the person switches
            assertThat(get(renewed, "/api/v1/namespaces").statusCode()).isEqualTo(200);
            assertThat(get(old, "/api/v1/namespaces").statusCode()).isEqualTo(200);

            clock.advance(Duration.ofMinutes(10));   // the old one has expired, the new one has not
            HttpResponse<String> expired = get(old, "/api/v1/namespaces");
            assertThat(expired.statusCode()).isEqualTo(401);
            assertThat(expired.body()).contains("Unauthorized").contains("expired at " + oldCertificate.getNotAfter().toInstant());
            assertThat(get(renewed, "/api/v1/namespaces").statusCode()).isEqualTo(200);

            // a removed user's certificates are revoked, and it cannot renew
            users.remove("renewer");
            await().atMost(Duration.ofSeconds(10)).until(() -> get(renewed, "/api/v1/namespaces").statusCode() == 401);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> users.renew("renewer", adminConfig.server(),
                            adminConfig.certificateAuthorities().getFirst(), Duration.ofHours(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("user \"renewer\" not found").hasMessageContaining("cannot be renewed");
        }
    }

    private static HttpResponse<String> get(Kubeconfig kubeconfig, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(dev.berth.core.pki.Tls.clientSSLContext(kubeconfig)).build();
        return http.send(HttpRequest.newBuilder(URI.create(kubeconfig.server() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
