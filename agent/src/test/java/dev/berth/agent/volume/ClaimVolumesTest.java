package dev.berth.agent.volume;

import dev.berth.core.controller.volume.localpath.LocalPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static dev.berth.agent.volume.VolumeTestSupport.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** persistentVolumeClaim volumes, and the cleanup of local-path directories. */
class ClaimVolumesTest {
    private static final String NS = "claims";
    private static final String NODE = "node-a";

    static VolumeTestSupport api;

    @TempDir
    Path dataDir;
    @TempDir
    Path storageRoot;
    DefaultPodVolumes volumes;

    @BeforeAll
    static void startServer() throws Exception {
        api = VolumeTestSupport.shared(NS);
    }

    @BeforeEach
    void newVolumes() {
        volumes = new DefaultPodVolumes(dataDir, api.client, Clock.systemUTC(), NODE);
    }

    private static Volume claimVolume(String name, String claim, boolean readOnly) {
        return new VolumeBuilder().withName(name).withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(readOnly)
                .endPersistentVolumeClaim().build();
    }

    private PersistentVolumeClaim createClaim(String name, String volumeName) {
        return api.client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(LocalPath.CLASS_NAME)
                .withVolumeName(volumeName)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build()).create();
    }

    private void markBound(PersistentVolumeClaim claim) {
        api.client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder(
                api.client.persistentVolumeClaims().inNamespace(NS).withName(claim.getMetadata().getName()).get())
                .withNewStatus().withPhase("Bound").withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", new Quantity("1Gi")).endStatus().build()).updateStatus();
    }

    /** The volume the local-path provisioner makes for the claim, its directory under the test's storage root. */
    private PersistentVolume localPathVolume(PersistentVolumeClaim claim, String node) {
        PersistentVolume pv = LocalPath.volumeFor(claim, new StorageClassBuilder().withNewMetadata()
                .withName(LocalPath.CLASS_NAME).endMetadata().withProvisioner(LocalPath.PROVISIONER).build(), node);
        String dirName = Path.of(pv.getSpec().getHostPath().getPath()).getFileName().toString();
        return api.client.persistentVolumes().resource(new PersistentVolumeBuilder(pv).editSpec().editHostPath()
                .withPath(storageRoot.resolve(dirName).toString()).endHostPath().endSpec().build()).create();
    }

    private void setPhase(PersistentVolume pv, String phase) {
        api.client.persistentVolumes().resource(new PersistentVolumeBuilder(
                api.client.persistentVolumes().withName(pv.getMetadata().getName()).get())
                .withNewStatus().withPhase(phase).endStatus().build()).updateStatus();
    }

    @Test
    void boundLocalPathClaimGetsItsDirectoryOnThisNodeCreatedWorldWritable() throws IOException {
        PersistentVolumeClaim claim = createClaim("data", null);
        PersistentVolume pv = localPathVolume(claim, NODE);
        claim = api.client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder(claim)
                .editSpec().withVolumeName(pv.getMetadata().getName()).endSpec().build()).update();
        markBound(claim);
        Pod pod = pod(NS, "db", claimVolume("data", "data", false));

        Path dir = volumes.setUp(pod).get("data");

        assertThat(dir).isEqualTo(Path.of(pv.getSpec().getHostPath().getPath()));
        assertThat(dir.getFileName().toString()).isEqualTo("pvc-" + claim.getMetadata().getUid() + "_" + NS + "_data");
        assertThat(dir).isDirectory();
        assertThat(AtomicWriter.modeOf(dir)).isEqualTo(0777);
        Files.writeString(dir.resolve("row"), "1");

        volumes.tearDown(pod.getMetadata().getUid());
        assertThat(dir.resolve("row")).as("tearDown keeps PV data").hasContent("1");
        assertThat(PodVolumes.forcedReadOnly(pod, "data")).isFalse();
    }

    @Test
    void claimNotBoundYetOrMissingFailsNamingTheVolume() {
        createClaim("pending", null);
        assertThatThrownBy(() -> volumes.setUp(pod(NS, "db", claimVolume("data", "pending", false))))
                .isInstanceOf(VolumeException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"data\" : persistentvolumeclaim \"pending\" not bound");
        assertThatThrownBy(() -> volumes.setUp(pod(NS, "db", claimVolume("data", "nobody", false))))
                .hasMessage("MountVolume.SetUp failed for volume \"data\" : persistentvolumeclaim \"nobody\" not found");
    }

    @Test
    void hostPathVolumeOfAClaimKeepsItsTypeCheckAndReadOnlyIsForced() throws IOException {
        PersistentVolumeClaim claim = createClaim("logs", "logs-pv");
        Path file = Files.writeString(storageRoot.resolve("a-file"), "x");
        api.client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName("logs-pv").endMetadata()
                .withNewSpec().addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                .withNewHostPath().withPath(file.toString()).withType("Directory").endHostPath()
                .withNewClaimRef().withNamespace(NS).withName("logs").withUid(claim.getMetadata().getUid()).endClaimRef()
                .endSpec().build()).create();
        markBound(claim);
        Pod pod = pod(NS, "reader", claimVolume("logs", "logs", true));

        assertThatThrownBy(() -> volumes.setUp(pod))
                .hasMessage("MountVolume.SetUp failed for volume \"logs\" : hostPath type check failed: " + file + " is not a directory");
        assertThat(PodVolumes.forcedReadOnly(pod, "logs")).isTrue();
    }

    @Test
    void volumePinnedToAnotherNodeIsNotMountedHere() {
        PersistentVolumeClaim claim = createClaim("elsewhere", null);
        PersistentVolume pv = localPathVolume(claim, "node-b");
        api.client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder(claim)
                .editSpec().withVolumeName(pv.getMetadata().getName()).endSpec().build()).update();
        markBound(claim);

        assertThatThrownBy(() -> volumes.setUp(pod(NS, "db", claimVolume("data", "elsewhere", false))))
                .hasMessage("MountVolume.SetUp failed for volume \"data\" : volume node affinity conflict: persistentvolume \""
                        + pv.getMetadata().getName() + "\" is pinned to other nodes than \"" + NODE + "\"");
        assertThat(Path.of(pv.getSpec().getHostPath().getPath())).doesNotExist();
    }

    @Test
    void cleanerRemovesDirectoriesOfReleasedDeleteVolumesAndOfVolumesThatAreGone() throws IOException {
        PersistentVolume released = localPathVolume(createClaim("released", null), NODE);
        PersistentVolume bound = localPathVolume(createClaim("bound", null), NODE);
        PersistentVolume retained = api.client.persistentVolumes().resource(new PersistentVolumeBuilder(
                localPathVolume(createClaim("retained", null), NODE)).editSpec()
                .withPersistentVolumeReclaimPolicy("Retain").endSpec().build()).update();
        PersistentVolume deleted = localPathVolume(createClaim("deleted", null), NODE);
        setPhase(released, "Released");
        setPhase(bound, "Bound");
        setPhase(retained, "Released");
        for (PersistentVolume pv : List.of(released, bound, retained, deleted)) {
            Files.createDirectories(Path.of(pv.getSpec().getHostPath().getPath()));
            Files.writeString(Path.of(pv.getSpec().getHostPath().getPath(), "data"), "x");
        }
        api.client.persistentVolumes().withName(deleted.getMetadata().getName()).delete();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> api.client.persistentVolumes().withName(deleted.getMetadata().getName()).get() == null);
        Path unrelated = Files.createDirectories(storageRoot.resolve("not-a-volume"));

        LocalPathCleaner cleaner = new LocalPathCleaner(api.client, storageRoot, NODE, Duration.ofMinutes(1));
        List<Path> removed = cleaner.cleanOnce();

        assertThat(removed).containsExactlyInAnyOrder(Path.of(released.getSpec().getHostPath().getPath()),
                Path.of(deleted.getSpec().getHostPath().getPath()));
        assertThat(Path.of(released.getSpec().getHostPath().getPath())).doesNotExist();
        assertThat(Path.of(deleted.getSpec().getHostPath().getPath())).doesNotExist();
        assertThat(Path.of(bound.getSpec().getHostPath().getPath(), "data")).hasContent("x");
        assertThat(Path.of(retained.getSpec().getHostPath().getPath(), "data")).hasContent("x");
        assertThat(unrelated).isDirectory();
        assertThat(cleaner.cleanOnce()).isEmpty();
    }

    @Test
    void cleanerLoopRunsOnItsOwnAndLeavesOtherNodesVolumesAlone() throws IOException {
        PersistentVolume mine = localPathVolume(createClaim("mine", null), NODE);
        PersistentVolume theirs = localPathVolume(createClaim("theirs", null), "node-b");
        setPhase(mine, "Released");
        setPhase(theirs, "Released");
        Path mineDir = Files.createDirectories(Path.of(mine.getSpec().getHostPath().getPath()));
        Path theirsDir = Files.createDirectories(Path.of(theirs.getSpec().getHostPath().getPath()));

        try (LocalPathCleaner cleaner = new LocalPathCleaner(api.client, storageRoot, NODE, Duration.ofMillis(100))) {
            cleaner.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(mineDir));
        }
        assertThat(theirsDir).isDirectory();
    }
}
