package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** CustomResourceDefinitions and their custom resources, through the real kubectl and fabric8. */
class CustomResourceDefinitionsIT {
    @TempDir
    static Path dir;
    static BerthServer server;
    static Kubectl kubectl;
    static KubernetesClient client;

    static final String SCHEMA = """
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [size]
                        properties:
                          size: {type: integer, minimum: 1, description: "How big the widget is, in units."}
                          color: {type: string, enum: [red, green, blue], default: red}
                          replicas: {type: integer, minimum: 0, default: 1}
                          tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
                      status:
                        type: object
                        properties:
                          replicas: {type: integer}
                          selector: {type: string}
            """;

    static final String WIDGETS = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                  scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
                additionalPrinterColumns:
                - {name: Size, type: integer, jsonPath: .spec.size}
                - {name: Color, type: string, jsonPath: .spec.color}
                - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
                schema:
            """ + SCHEMA + """
              - name: v1beta1
                served: true
                storage: false
                schema:
            """ + SCHEMA;

    @BeforeAll
    static void start() throws Exception {
        server = new BerthServer(ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0),
                Clock.systemUTC()).start();
        kubectl = new Kubectl(server.adminKubeconfig(), Files.createDirectories(dir.resolve("home")));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(server.adminKubeconfig()))).build();
        kubectl.run("apply", "-f", manifest("widgets-crd.yaml", WIDGETS).toString()).ok();
        kubectl.run("wait", "--for", "condition=Established", "crd/widgets.example.com", "--timeout=30s").ok();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private static Path manifest(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private static JsonNode json(String... args) {
        return Json.parse(kubectl.run(args).ok().out().getBytes(StandardCharsets.UTF_8));
    }

    private static String widget(String name, String spec) {
        return "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: " + name + "}\nspec: " + spec + "\n";
    }

    @Test
    void establishedDefinitionIsServedAndHasItsStatus() {
        JsonNode crd = json("get", "crd", "widgets.example.com", "-o", "json");
        assertThat(crd.path("metadata").path("finalizers").toString()).contains("customresourcecleanup.apiextensions.k8s.io");
        assertThat(crd.path("status").path("acceptedNames").path("kind").asText()).isEqualTo("Widget");
        assertThat(crd.path("status").path("acceptedNames").path("listKind").asText()).isEqualTo("WidgetList");
        assertThat(crd.path("status").path("storedVersions").toString()).isEqualTo("[\"v1\"]");
        assertThat(crd.path("status").path("conditions").toString()).contains("NamesAccepted", "Established");
        assertThat(kubectl.run("api-resources", "--api-group=example.com").ok().out())
                .contains("widgets", "wg", "example.com/v1", "true", "Widget");
        assertThat(json("get", "--raw", "/apis/example.com").path("preferredVersion").path("version").asText())
                .isEqualTo("v1");
    }

    @Test
    void customResourceGetsDefaultsAndPrintsTheColumns() throws Exception {
        kubectl.run("create", "namespace", "cr-defaults").ok();
        kubectl.run("apply", "-n", "cr-defaults", "-f", manifest("w1.yaml", widget("w1", "{size: 3}")).toString()).ok();
        JsonNode w = json("get", "widget", "w1", "-n", "cr-defaults", "-o", "json");
        assertThat(w.path("spec").path("color").asText()).isEqualTo("red");
        assertThat(w.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(w.path("metadata").path("generation").asInt()).isEqualTo(1);
        String table = kubectl.run("get", "widgets", "-n", "cr-defaults").ok().out();
        assertThat(table.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "SIZE", "COLOR", "AGE");
        assertThat(table).containsPattern("w1\\s+3\\s+red");
        assertThat(kubectl.run("get", "wg", "-n", "cr-defaults", "-o", "name").ok().out().trim())
                .isEqualTo("widget.example.com/w1");
    }

    @Test
    void unknownFieldsArePrunedOrRefusedUnderStrictValidation() throws Exception {
        kubectl.run("create", "namespace", "cr-prune").ok();
        Path f = manifest("w-extra.yaml", widget("extra", "{size: 2, shiny: true}")
                .replace("metadata: {name: extra}", "metadata: {name: extra, bogus: 1}"));
        assertThat(kubectl.run("apply", "-n", "cr-prune", "-f", f.toString()).err())
                .contains("unknown field \"spec.shiny\"");
        assertThat(kubectl.run("apply", "--validate=warn", "-n", "cr-prune", "-f", f.toString()).ok().err())
                .contains("unknown field \"spec.shiny\"", "unknown field \"metadata.bogus\"");
        JsonNode w = json("get", "widget", "extra", "-n", "cr-prune", "-o", "json");
        assertThat(w.path("spec").has("shiny")).isFalse();
        assertThat(w.path("metadata").has("bogus")).isFalse();
        assertThat(w.path("spec").path("size").asInt()).isEqualTo(2);
    }

    @Test
    void invalidCustomResourceIsRefusedNamingTheField() throws Exception {
        kubectl.run("create", "namespace", "cr-invalid").ok();
        Kubectl.Result small = kubectl.run("apply", "-n", "cr-invalid", "-f",
                manifest("w-small.yaml", widget("small", "{size: 0}")).toString());
        assertThat(small.exit()).isNotZero();
        assertThat(small.err()).contains("The Widget \"small\" is invalid",
                "spec.size: Invalid value: \"0\": spec.size in body should be greater than or equal to 1");
        Kubectl.Result pink = kubectl.run("apply", "-n", "cr-invalid", "-f",
                manifest("w-pink.yaml", widget("pink", "{size: 1, color: pink}")).toString());
        assertThat(pink.err()).contains("spec.color: Unsupported value: \"pink\"");
        Kubectl.Result badName = kubectl.run("apply", "-n", "cr-invalid", "-f",
                manifest("w-name.yaml", widget("Bad_Name", "{size: 1}")).toString());
        assertThat(badName.err()).contains("metadata.name: Invalid value: \"Bad_Name\"");
    }

    @Test
    void scaleAndStatusSubresourcesWork() throws Exception {
        kubectl.run("create", "namespace", "cr-scale").ok();
        kubectl.run("apply", "-n", "cr-scale", "-f", manifest("w-scale.yaml",
                widget("scaled", "{size: 1}")).toString()).ok();
        assertThat(kubectl.run("scale", "widget/scaled", "-n", "cr-scale", "--replicas=3").ok().out())
                .contains("widget.example.com/scaled scaled");
        assertThat(json("get", "widget", "scaled", "-n", "cr-scale", "-o", "json").path("spec").path("replicas").asInt())
                .isEqualTo(3);
        kubectl.run("patch", "widget", "scaled", "-n", "cr-scale", "--subresource=status", "--type=merge",
                "-p", "{\"status\":{\"replicas\":2,\"selector\":\"app=w\"}}").ok();
        kubectl.run("patch", "widget", "scaled", "-n", "cr-scale", "--type=merge",
                "-p", "{\"status\":{\"replicas\":9}}").ok();
        JsonNode scale = json("get", "--raw", "/apis/example.com/v1/namespaces/cr-scale/widgets/scaled/scale");
        assertThat(scale.path("kind").asText()).isEqualTo("Scale");
        assertThat(scale.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(scale.path("status").path("replicas").asInt()).isEqualTo(2);
        assertThat(scale.path("status").path("selector").asText()).isEqualTo("app=w");
        JsonNode w = json("get", "widget", "scaled", "-n", "cr-scale", "-o", "json");
        assertThat(w.path("metadata").path("generation").asInt()).isEqualTo(2);
    }

    @Test
    void patchesAndServerSideApplyFollowTheSchema() throws Exception {
        kubectl.run("create", "namespace", "cr-patch").ok();
        Path f = manifest("w-ssa.yaml", widget("applied", "{size: 4, tags: [a, b]}"));
        assertThat(kubectl.run("apply", "--server-side", "-n", "cr-patch", "-f", f.toString()).ok().out())
                .contains("widget.example.com/applied serverside-applied");
        kubectl.run("apply", "--server-side", "--field-manager=other", "-n", "cr-patch", "-f",
                manifest("w-ssa2.yaml", widget("applied", "{size: 4, tags: [c]}")).toString()).ok();
        // a set is merged per element between managers
        assertThat(json("get", "widget", "applied", "-n", "cr-patch", "-o", "json").path("spec").path("tags").toString())
                .isEqualTo("[\"a\",\"b\",\"c\"]");
        kubectl.run("patch", "widget", "applied", "-n", "cr-patch", "--type=json",
                "-p", "[{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":5}]").ok();
        Kubectl.Result strategic = kubectl.run("patch", "widget", "applied", "-n", "cr-patch",
                "-p", "{\"spec\":{\"size\":6}}");
        assertThat(strategic.exit()).isNotZero();
        assertThat(strategic.err()).contains("application/merge-patch+json");
        assertThat(json("get", "widget", "applied", "-n", "cr-patch", "-o", "json").path("spec").path("size").asInt())
                .isEqualTo(5);
    }

    @Test
    void otherServedVersionsDifferOnlyInApiVersion() throws Exception {
        kubectl.run("create", "namespace", "cr-versions").ok();
        kubectl.run("apply", "-n", "cr-versions", "-f", manifest("w-beta.yaml",
                widget("beta", "{size: 7}").replace("example.com/v1", "example.com/v1beta1")).toString()).ok();
        JsonNode beta = json("get", "widgets.v1beta1.example.com", "beta", "-n", "cr-versions", "-o", "json");
        assertThat(beta.path("apiVersion").asText()).isEqualTo("example.com/v1beta1");
        JsonNode stable = json("get", "--raw", "/apis/example.com/v1/namespaces/cr-versions/widgets/beta");
        assertThat(stable.path("apiVersion").asText()).isEqualTo("example.com/v1");
        assertThat(stable.path("spec").path("size").asInt()).isEqualTo(7);
        kubectl.run("apply", "--server-side", "-n", "cr-versions", "-f", manifest("w-beta2.yaml",
                widget("beta-ssa", "{size: 8}").replace("example.com/v1", "example.com/v1beta1")).toString()).ok();
        assertThat(json("get", "widgets.v1beta1.example.com", "beta-ssa", "-n", "cr-versions", "-o", "json")
                .path("spec").path("size").asInt()).isEqualTo(8);
    }

    @Test
    void explainDescribesTheSchema() {
        assertThat(kubectl.run("explain", "widget.spec.size").ok().out())
                .contains("KIND:", "Widget", "size", "How big the widget is, in units.");
    }

    @Test
    void fabric8DoesCrudAndWatchOnGenericResources() {
        kubectl.run("create", "namespace", "cr-fabric8").ok();
        ResourceDefinitionContext ctx = new ResourceDefinitionContext.Builder().withGroup("example.com")
                .withVersion("v1").withKind("Widget").withPlural("widgets").withNamespaced(true).build();
        List<String> events = new CopyOnWriteArrayList<>();
        Watch watch = client.genericKubernetesResources(ctx).inNamespace("cr-fabric8").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                events.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            GenericKubernetesResource created = client.genericKubernetesResources(ctx).inNamespace("cr-fabric8")
                    .resource(new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                            .withNewMetadata().withName("f8").endMetadata()
                            .withAdditionalProperties(Map.of("spec", Map.of("size", 2))).build()).create();
            assertThat(created.getMetadata().getUid()).isNotEmpty();
            assertThat(created.<String>get("spec", "color")).isEqualTo("red");
            GenericKubernetesResource read = client.genericKubernetesResources(ctx).inNamespace("cr-fabric8")
                    .withName("f8").get();
            read.setAdditionalProperty("spec", Map.of("size", 5, "color", "blue"));
            GenericKubernetesResource updated = client.genericKubernetesResources(ctx).inNamespace("cr-fabric8")
                    .resource(read).update();
            assertThat(updated.<Integer>get("spec", "size")).isEqualTo(5);
            assertThat(client.genericKubernetesResources(ctx).inNamespace("cr-fabric8").list().getItems())
                    .extracting(r -> r.getMetadata().getName()).containsExactly("f8");
            client.genericKubernetesResources(ctx).inNamespace("cr-fabric8").withName("f8").delete();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(events).containsExactly("ADDED f8", "MODIFIED f8", "DELETED f8"));
        } finally {
            watch.close();
        }
    }

    @Test
    void invalidDefinitionIsRefused() throws Exception {
        Kubectl.Result r = kubectl.run("apply", "-f", manifest("bad-crd.yaml", WIDGETS
                .replace("widgets.example.com", "gizmos.example.com").replace("plural: widgets", "plural: gizmos")
                .replace("storage: false", "storage: true")).toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("The CustomResourceDefinition \"gizmos.example.com\" is invalid",
                "must have exactly one version marked as storage version");
    }

    @Test
    void definitionWhoseKindIsTakenInItsGroupIsNotEstablished() throws Exception {
        String clash = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: clashes.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: clashes, kind: Widget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """;
        kubectl.run("apply", "-f", manifest("clash-crd.yaml", clash).toString()).ok();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode conditions = json("get", "crd", "clashes.example.com", "-o", "json").path("status").path("conditions");
            assertThat(conditions.toString()).contains("\"KindConflict\"", "\"Widget\\\" is already in use");
        });
        assertThat(kubectl.run("api-resources", "--api-group=example.com").ok().out()).doesNotContain("clashes");
        kubectl.run("delete", "crd", "clashes.example.com", "--timeout=30s").ok();
    }

    @Test
    void defaultAddedToTheDefinitionShowsOnObjectsStoredBefore() throws Exception {
        String sprockets = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: sprockets.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: sprockets, kind: Sprocket}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            properties:
                              teeth: {type: integer}
                """;
        kubectl.run("apply", "-f", manifest("sprockets-crd.yaml", sprockets).toString()).ok();
        kubectl.run("wait", "--for", "condition=Established", "crd/sprockets.example.com", "--timeout=30s").ok();
        kubectl.run("apply", "-n", "default", "-f", manifest("sprocket.yaml",
                "apiVersion: example.com/v1\nkind: Sprocket\nmetadata: {name: s1}\nspec: {teeth: 12}\n").toString()).ok();
        kubectl.run("apply", "-f", manifest("sprockets-crd2.yaml", sprockets.replace("teeth: {type: integer}",
                "teeth: {type: integer}\n              finish: {type: string, default: matte}")).toString()).ok();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                json("get", "sprocket", "s1", "-n", "default", "-o", "json").path("spec").path("finish").asText())
                .isEqualTo("matte"));
        assertThat(json("get", "sprocket", "s1", "-n", "default", "-o", "json").path("spec").path("teeth").asInt())
                .isEqualTo(12);
        kubectl.run("delete", "crd", "sprockets.example.com", "--timeout=30s").ok();
    }

    @Test
    void protectedGroupsNeedTheApprovalAnnotation() throws Exception {
        Kubectl.Result r = kubectl.run("apply", "-f", manifest("protected-crd.yaml", WIDGETS
                .replace("widgets.example.com", "widgets.berth.k8s.io").replace("group: example.com", "group: berth.k8s.io"))
                .toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("metadata.annotations[api-approved.kubernetes.io]: Required value");
    }

    @Test
    void definitionsAreServedAgainAfterARestart() throws Exception {
        Path data = dir.resolve("restart-data");
        Kubectl.Result afterRestart;
        try (BerthServer first = new BerthServer(ServerOptions.defaults(data).withListen("127.0.0.1", 0),
                Clock.systemUTC()).start()) {
            Kubectl k = new Kubectl(first.adminKubeconfig(), Files.createDirectories(dir.resolve("restart-home")));
            k.run("apply", "-f", manifest("restart-crd.yaml", WIDGETS).toString()).ok();
            k.run("wait", "--for", "condition=Established", "crd/widgets.example.com", "--timeout=30s").ok();
            k.run("apply", "-n", "default", "-f", manifest("restart-w.yaml", widget("kept", "{size: 2}")).toString()).ok();
        }
        try (BerthServer second = new BerthServer(ServerOptions.defaults(data).withListen("127.0.0.1", 0),
                Clock.systemUTC()).start()) {
            Kubectl k = new Kubectl(second.adminKubeconfig(), Files.createDirectories(dir.resolve("restart-home2")));
            afterRestart = k.run("get", "widgets", "-n", "default");
        }
        assertThat(afterRestart.ok().out()).containsPattern("kept\\s+2\\s+red");
    }

    @Test
    void deletingTheDefinitionDeletesItsResourcesAndStopsServingThem() throws Exception {
        String gadgets = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: gadgets.example.com}
                spec:
                  group: example.com
                  scope: Cluster
                  names: {plural: gadgets, kind: Gadget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                """;
        kubectl.run("apply", "-f", manifest("gadgets-crd.yaml", gadgets).toString()).ok();
        kubectl.run("wait", "--for", "condition=Established", "crd/gadgets.example.com", "--timeout=30s").ok();
        kubectl.run("apply", "-f", manifest("gadget.yaml",
                "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nanything: {goes: here}\n").toString()).ok();
        assertThat(json("get", "gadget", "g1", "-o", "json").path("anything").path("goes").asText()).isEqualTo("here");
        Path watchOut = dir.resolve("gadgets-watch.txt");
        Process watch = kubectl.start(watchOut, "get", "gadgets", "--watch", "--output-watch-events", "-o", "json");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(watchOut)).contains("ADDED"));
        kubectl.run("delete", "crd", "gadgets.example.com", "--timeout=60s").ok();
        // the watch sees the resource go, then ends with its definition
        assertThat(watch.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(watchOut)).contains("DELETED");
        assertThat(server.api().storage().store().list("/example.com/gadgets/").items()).isEmpty();
        Path freshCache = Files.createDirectories(dir.resolve("fresh-cache"));
        Kubectl.Result r = kubectl.run("get", "gadgets", "--cache-dir=" + freshCache);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("the server doesn't have a resource type \"gadgets\"");
        assertThat(kubectl.run("get", "crd").ok().out()).doesNotContain("gadgets");
    }
}
