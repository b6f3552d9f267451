package dev.berth.app.transfer;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Export a cluster's state to a folder of YAML, import it into a second, empty API server, and
 * export that one: the two folders are the same file for file.
 */
class ClusterTransferIT {
    @TempDir
    Path dir;

    static KubernetesClient client(TestApiServer server) throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build();
    }

    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return out;
    }

    static void seed(KubernetesClient c) {
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").addToLabels("team", "web").endMetadata().build()).create();
        c.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .addToData("mode", "fast").addToData("a", "1").addToData("on", "yes").addToData("flag", "true")
                .addToData("octal", "012").addToData("exp", "1e3").addToData("empty", "").build()).create();
        c.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("token").endMetadata()
                .addToStringData("password", "s3cret").build()).create();
        c.serviceAccounts().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata().withName("robot").endMetadata().build()).create();
        c.rbac().roles().inNamespace("shop").resource(new RoleBuilder().withNewMetadata().withName("reader").endMetadata()
                .addNewRule().withApiGroups("").withResources("pods").withVerbs("get", "list").endRule().build()).create();
        c.rbac().roleBindings().inNamespace("shop").resource(new RoleBindingBuilder().withNewMetadata().withName("robot-reads").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("reader").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("robot").withNamespace("shop").endSubject().build()).create();
        c.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder().withNewMetadata().withName("web")
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{}").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("berth-test/busybox:1").withCommand("httpd", "-f").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        c.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build()).create();
        c.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web-headless").endMetadata()
                .withNewSpec().withClusterIP("None").addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build()).create();
        c.resource(Serialization.unmarshal("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, singular: widget, kind: Widget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """, GenericKubernetesResource.class)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                c.genericKubernetesResources("example.com/v1", "Widget").inNamespace("shop").resource(Serialization.unmarshal("""
                        apiVersion: example.com/v1
                        kind: Widget
                        metadata: {name: blue, namespace: shop}
                        spec: {colour: blue, size: 3}
                        """, GenericKubernetesResource.class)).create());
    }

    @Test
    void exportsOneCleanFilePerObjectAndImportsThemIntoAnEmptyClusterTheSameAgain() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        try (TestApiServer a = new TestApiServer(dir.resolve("a")); KubernetesClient ca = client(a)) {
            seed(ca);
            ClusterExport.Result r = new ClusterExport(ca).export(first, line -> {});
            assertThat(r.objects()).isGreaterThanOrEqualTo(11);
        }
        Map<String, String> exported = files(first);
        assertThat(exported).containsKeys(".berth-export", "_cluster/namespaces/shop.yaml", "shop/configmaps/settings.yaml",
                "shop/secrets/token.yaml", "shop/deployments.apps/web.yaml", "shop/services/web.yaml",
                "shop/roles.rbac.authorization.k8s.io/reader.yaml", "shop/rolebindings.rbac.authorization.k8s.io/robot-reads.yaml",
                "_cluster/customresourcedefinitions.apiextensions.k8s.io/widgets.example.com.yaml",
                "shop/widgets.example.com/blue.yaml", "shop/serviceaccounts/robot.yaml");
        for (Map.Entry<String, String> f : exported.entrySet()) {
            assertThat(f.getValue()).as(f.getKey()).doesNotContain("uid:", "resourceVersion:", "creationTimestamp:",
                    "managedFields:", "generation:", "selfLink:", "last-applied-configuration", "\nstatus:");
        }
        String deployment = exported.get("shop/deployments.apps/web.yaml");
        // keys sorted at every level: diffable
        assertThat(deployment).startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n");
        assertThat(exported.get("shop/services/web.yaml")).doesNotContain("clusterIP");
        assertThat(exported.get("shop/services/web-headless.yaml")).contains("clusterIP: None");
        assertThat(exported.get("shop/configmaps/settings.yaml")).contains("data:\n  a: \"1\"\n");

        try (TestApiServer b = new TestApiServer(dir.resolve("b")); KubernetesClient cb = client(b)) {
            List<String> lines = new ArrayList<>();
            ClusterImport.Result imported = new ClusterImport(cb).apply(first, lines::add);
            assertThat(imported.failures()).isEmpty();
            // the namespace before what is in it, the CRD before its custom resource, config before workloads
            assertThat(lines.indexOf("applied Namespace shop")).isLessThan(lines.indexOf("applied ConfigMap shop/settings"));
            assertThat(lines.indexOf("applied CustomResourceDefinition widgets.example.com")).isLessThan(lines.indexOf("applied Widget shop/blue"));
            assertThat(lines.indexOf("applied Secret shop/token")).isLessThan(lines.indexOf("applied Deployment shop/web"));
            assertThat(cb.secrets().inNamespace("shop").withName("token").get().getData().get("password"))
                    .isEqualTo(java.util.Base64.getEncoder().encodeToString("s3cret".getBytes()));

            new ClusterExport(cb).export(second, line -> {});
            assertThat(files(second)).isEqualTo(exported);

            // importing again changes nothing; exporting over an earlier export replaces it
            assertThat(new ClusterImport(cb).apply(first, l -> {}).failures()).isEmpty();
            cb.configMaps().inNamespace("shop").withName("settings").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> cb.configMaps().inNamespace("shop").withName("settings").get() == null);
            new ClusterExport(cb).export(second, line -> {});
            assertThat(files(second)).doesNotContainKey("shop/configmaps/settings.yaml").containsKey("shop/deployments.apps/web.yaml");
        }
    }

    @Test
    void refusesAFolderThatIsNotAnExportAndReportsBadFilesByName() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        Files.writeString(other.resolve("broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");
        Files.writeString(other.resolve("nameless.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
        try (TestApiServer a = new TestApiServer(dir.resolve("a")); KubernetesClient ca = client(a)) {
            assertThatThrownBy(() -> new ClusterExport(ca).export(other, l -> {}))
                    .hasMessageContaining("is not empty and holds no earlier export");
            assertThat(Files.readString(other.resolve("notes.txt"))).isEqualTo("mine");
            ClusterImport.Result r = new ClusterImport(ca).apply(other, l -> {});
            assertThat(r.applied()).isZero();
            assertThat(r.failures()).anySatisfy(f -> assertThat(f).startsWith("broken.yaml: not valid YAML"))
                    .anySatisfy(f -> assertThat(f).isEqualTo("nameless.yaml: metadata.name: Required value"));
        }
    }
}
