package dev.berth.core.controller.volume.localpath;

import dev.berth.core.controller.volume.VolumeCluster;
import dev.berth.core.testing.Kubectl;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The default class, its admission and the local-path provisioner against a real API server. */
class LocalPathProvisionerIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path CORPUS = dev.berth.core.testing.Corpus.examples();

    @TempDir
    static Path dir;

    static VolumeCluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = new VolumeCluster(dir);
        client = cluster.client();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
                .addToLabels("kubernetes.io/hostname", "node-a").endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PersistentVolumeClaim selectNode(String ns, String name, String node) {
        return client.persistentVolumeClaims().inNamespace(ns).withName(name)
                .edit(c -> new PersistentVolumeClaimBuilder(c).editMetadata()
                        .addToAnnotations("volume.kubernetes.io/selected-node", node).endMetadata().build());
    }

    @Test
    void defaultClassIsBootstrappedAsLocalPathWaitingForFirstConsumer() {
        StorageClass sc = client.storage().v1().storageClasses().withName("local-path").get();
        assertThat(sc.getProvisioner()).isEqualTo("berth.dev/local-path");
        assertThat(sc.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
        assertThat(sc.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(sc.getMetadata().getAnnotations()).containsEntry("storageclass.kubernetes.io/is-default-class", "true");
    }

    @Test
    void claimWaitsForItsFirstConsumerThenGetsAVolumeOnTheSelectedNode() {
        cluster.cluster().createNamespace("wffc");
        PersistentVolumeClaim created = cluster.createClaim("wffc", "data", "2Gi", null, "ReadWriteOnce");
        assertThat(created.getSpec().getStorageClassName()).as("set by DefaultStorageClass admission").isEqualTo("local-path");

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("wffc", "data", "WaitForFirstConsumer"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Normal");
                    assertThat(e.getMessage()).isEqualTo("waiting for first consumer to be created before binding");
                }));
        String uid = created.getMetadata().getUid();
        assertThat(cluster.volume("pvc-" + uid)).isNull();
        assertThat(cluster.claim("wffc", "data").getStatus().getPhase()).isEqualTo("Pending");

        selectNode("wffc", "data", "node-a"); // as the scheduler does when it places the first pod using the claim

        await().atMost(WAIT).untilAsserted(() -> {
            PersistentVolumeClaim c = cluster.claim("wffc", "data");
            assertThat(c.getStatus().getPhase()).isEqualTo("Bound");
            assertThat(c.getSpec().getVolumeName()).isEqualTo("pvc-" + uid);
            assertThat(c.getStatus().getCapacity()).containsEntry("storage", new Quantity("2Gi"));
        });
        PersistentVolumeClaim claim = cluster.claim("wffc", "data");
        assertThat(claim.getMetadata().getAnnotations())
                .containsEntry("volume.kubernetes.io/storage-provisioner", "berth.dev/local-path")
                .containsEntry("volume.beta.kubernetes.io/storage-provisioner", "berth.dev/local-path")
                .containsEntry("pv.kubernetes.io/bind-completed", "yes");
        PersistentVolume pv = cluster.volume("pvc-" + uid);
        assertThat(pv.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(pv.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by", "berth.dev/local-path");
        assertThat(pv.getSpec().getHostPath().getPath()).isEqualTo("/var/lib/berth/storage/pvc-" + uid + "_wffc_data");
        assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        assertThat(pv.getSpec().getStorageClassName()).isEqualTo("local-path");
        assertThat(pv.getSpec().getCapacity()).containsEntry("storage", new Quantity("2Gi"));
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo(uid);
        var term = pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms();
        assertThat(term).singleElement().satisfies(t -> assertThat(t.getMatchExpressions()).singleElement().satisfies(m -> {
            assertThat(m.getKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(m.getOperator()).isEqualTo("In");
            assertThat(m.getValues()).containsExactly("node-a");
        }));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cluster.events("wffc", "data", "ExternalProvisioning")).singleElement().satisfies(e ->
                    assertThat(e.getMessage()).startsWith("Waiting for a volume to be created either by the external "
                            + "provisioner 'berth.dev/local-path' or manually by the system administrator."));
            assertThat(cluster.events("wffc", "data", "ProvisioningSucceeded")).singleElement().satisfies(e ->
                    assertThat(e.getMessage()).isEqualTo("Successfully provisioned volume pvc-" + uid));
        });

        // reclaim policy Delete: the provisioner deletes its volume once the claim is gone
        client.persistentVolumeClaims().inNamespace("wffc").withName("data").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.volume("pvc-" + uid)).isNull());
    }

    @Test
    void immediateClassWithoutASelectedNodeLeavesTheClaimPendingWithAReason() {
        cluster.cluster().createNamespace("immediate");
        client.storage().v1().storageClasses().resource(new StorageClassBuilder()
                .withNewMetadata().withName("local-now").endMetadata()
                .withProvisioner("berth.dev/local-path").withVolumeBindingMode("Immediate").withReclaimPolicy("Retain")
                .build()).create();
        PersistentVolumeClaim created = cluster.createClaim("immediate", "data", "1Gi", "local-now", "ReadWriteOnce");

        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.events("immediate", "data", "ProvisioningFailed"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("failed to provision volume with StorageClass \"local-now\": "
                            + "configuration error, no node was specified").contains("WaitForFirstConsumer");
                }));
        assertThat(cluster.claim("immediate", "data").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(client.persistentVolumes().list().getItems())
                .noneMatch(v -> v.getMetadata().getName().equals("pvc-" + created.getMetadata().getUid()));

        // with a node named, the class's Retain policy is the volume's
        selectNode("immediate", "data", "node-a");
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.claim("immediate", "data").getStatus().getPhase()).isEqualTo("Bound"));
        assertThat(cluster.volume("pvc-" + created.getMetadata().getUid()).getSpec().getPersistentVolumeReclaimPolicy())
                .isEqualTo("Retain");
    }

    @Test
    void refusesClaimsItCannotServeWithTheRuleBroken() {
        cluster.cluster().createNamespace("unsupported");
        client.persistentVolumeClaims().inNamespace("unsupported").resource(cluster.claimBuilder("unsupported", "shared",
                        "1Gi", "local-path", "ReadWriteMany")
                .editMetadata().addToAnnotations("volume.kubernetes.io/selected-node", "node-a").endMetadata()
                .build()).create();
        client.persistentVolumeClaims().inNamespace("unsupported").resource(cluster.claimBuilder("unsupported", "nowhere",
                        "1Gi", "local-path", "ReadWriteOnce")
                .editMetadata().addToAnnotations("volume.kubernetes.io/selected-node", "node-z").endMetadata()
                .build()).create();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cluster.events("unsupported", "shared", "ProvisioningFailed")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("spec.accessModes: Unsupported value: \"ReadWriteMany\""));
            assertThat(cluster.events("unsupported", "nowhere", "ProvisioningFailed")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).endsWith("failed to get target node: nodes \"node-z\" not found"));
        });
        assertThat(cluster.claim("unsupported", "shared").getStatus().getPhase()).isEqualTo("Pending");

        // the node joins: its claim is provisioned
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-z").endMetadata().build()).create();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.claim("unsupported", "nowhere").getStatus().getPhase()).isEqualTo("Bound"));
    }

    @Test
    void admissionLeavesAnExplicitEmptyClassAndAnExplicitClassAlone() {
        cluster.cluster().createNamespace("explicit");
        assertThat(cluster.createClaim("explicit", "none", "1Gi", "", "ReadWriteOnce").getSpec().getStorageClassName()).isEmpty();
        assertThat(cluster.createClaim("explicit", "manual", "1Gi", "manual", "ReadWriteOnce").getSpec().getStorageClassName())
                .isEqualTo("manual");
    }

    @Test
    void corpusManifestsBindAndKubectlShowsThemBound() throws Exception {
        Kubectl kubectl = new Kubectl(cluster.cluster().kubeconfig(), Files.createDirectories(dir.resolve("home")));
        kubectl.run("create", "namespace", "corpus").ok();
        kubectl.run("apply", "-n", "corpus", "-f", CORPUS.resolve("application/mysql/mysql-pv.yaml").toString()).ok();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.claim("corpus", "mysql-pv-claim").getStatus().getPhase()).isEqualTo("Bound"));
        kubectl.run("apply", "-f", CORPUS.resolve("pods/storage/pv-volume.yaml").toString()).ok();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.volume("task-pv-volume").getStatus().getPhase()).isEqualTo("Available"));
        kubectl.run("apply", "-n", "corpus", "-f", CORPUS.resolve("pods/storage/pv-claim.yaml").toString()).ok();
        kubectl.run("apply", "-n", "corpus", "-f", CORPUS.resolve("application/wordpress/wordpress-deployment.yaml").toString()).ok();

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.claim("corpus", "task-pv-claim").getStatus().getPhase()).isEqualTo("Bound"));
        assertThat(cluster.claim("corpus", "mysql-pv-claim").getSpec().getVolumeName()).isEqualTo("mysql-pv-volume");
        assertThat(cluster.claim("corpus", "task-pv-claim").getSpec().getVolumeName()).isEqualTo("task-pv-volume");
        // the wordpress claim names no class: it gets local-path and waits for the pod that uses it
        PersistentVolumeClaim wp = cluster.claim("corpus", "wp-pv-claim");
        assertThat(wp.getSpec().getStorageClassName()).isEqualTo("local-path");
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(cluster.events("corpus", "wp-pv-claim", "WaitForFirstConsumer")).isNotEmpty());

        Kubectl.Result get = kubectl.run("get", "pv,pvc", "-n", "corpus").ok();
        assertThat(get.out()).containsPattern("persistentvolume/mysql-pv-volume\\s+20Gi\\s+RWO\\s+Retain\\s+Bound\\s+corpus/mysql-pv-claim\\s+manual");
        assertThat(get.out()).containsPattern("persistentvolumeclaim/task-pv-claim\\s+Bound\\s+task-pv-volume\\s+10Gi\\s+RWO\\s+manual");
        assertThat(get.out()).containsPattern("persistentvolumeclaim/wp-pv-claim\\s+Pending\\s+local-path");
        Kubectl.Result sc = kubectl.run("get", "storageclass").ok();
        assertThat(sc.out()).containsPattern("local-path \\(default\\)\\s+berth.dev/local-path\\s+Delete\\s+WaitForFirstConsumer");
    }
}
