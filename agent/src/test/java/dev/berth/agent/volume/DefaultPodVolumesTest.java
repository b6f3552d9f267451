package dev.berth.agent.volume;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.berth.agent.volume.VolumeTestSupport.pod;
import static dev.berth.agent.volume.VolumeTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultPodVolumesTest {
    private static final String NS = "vols";
    private static final String NODE = "node-a";

    static VolumeTestSupport api;

    @TempDir
    Path dataDir;
    @TempDir
    Path hostDir;
    DefaultPodVolumes volumes;

    @BeforeAll
    static void startServer() throws Exception {
        api = VolumeTestSupport.shared(NS);
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .addToLabels("kubernetes.io/hostname", NODE).endMetadata()
                .withNewStatus().addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory", new Quantity("8Gi"))
                .endStatus().build()).create();
    }

    @BeforeEach
    void newVolumes() {
        volumes = new DefaultPodVolumes(dataDir, api.client, Clock.systemUTC(), NODE);
    }

    private static Volume emptyDir(String name) {
        return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
    }

    private static Volume hostPath(String name, Path path, String type) {
        return new VolumeBuilder().withName(name).withNewHostPath().withPath(path.toString()).withType(type).endHostPath().build();
    }

    private void createConfigMap(String name, Map<String, String> data) {
        api.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .endMetadata().withData(data).build()).createOr(r -> r.update());
    }

    private static int mode(Path p) throws IOException {
        return AtomicWriter.modeOf(p.toRealPath());
    }

    // --- emptyDir ---

    @Test
    void emptyDirIsAWorldWritableDirectoryInKubeletsLayoutThatKeepsItsContentAcrossSyncs() throws IOException {
        Pod pod = pod(NS, "scratch", emptyDir("cache"));
        Path dir = volumes.setUp(pod).get("cache");

        assertThat(dir).isEqualTo(dataDir.resolve("pods").resolve(pod.getMetadata().getUid())
                .resolve("volumes/kubernetes.io~empty-dir/cache"));
        assertThat(dir).isDirectory();
        assertThat(mode(dir)).isEqualTo(0777);
        Files.writeString(dir.resolve("kept"), "x");

        assertThat(volumes.setUp(pod).get("cache")).isEqualTo(dir);
        assertThat(dir.resolve("kept")).hasContent("x");
    }

    @Test
    void memoryEmptyDirWithoutThePrivilegeFailsNamingTheVolumeAndWhatIsMissing() {
        Mounter unprivileged = new FakeMounter(Optional.of("mounting a tmpfs needs root (CAP_SYS_ADMIN) and the agent runs as uid 1000"));
        var vols = new DefaultPodVolumes(dataDir, api.client, Clock.systemUTC(), NODE, unprivileged);
        Pod pod = pod(NS, "ram", new VolumeBuilder().withName("shm").withNewEmptyDir().withMedium("Memory").endEmptyDir().build());

        assertThatThrownBy(() -> vols.setUp(pod))
                .isInstanceOf(VolumeException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"shm\" : emptyDir.medium \"Memory\" needs a tmpfs mount, "
                        + "and mounting a tmpfs needs root (CAP_SYS_ADMIN) and the agent runs as uid 1000");
    }

    @Test
    void memoryEmptyDirIsMountedOnceWithItsSizeLimitAndUnmountedOnTearDown() {
        FakeMounter mounter = new FakeMounter(Optional.empty());
        var vols = new DefaultPodVolumes(dataDir, api.client, Clock.systemUTC(), NODE, mounter);
        Pod pod = pod(NS, "ram", new VolumeBuilder().withName("shm").withNewEmptyDir().withMedium("Memory")
                .withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());

        Path dir = vols.setUp(pod).get("shm");
        vols.setUp(pod);

        assertThat(mounter.mounts).containsExactly(dir + " size=" + (64L << 20));
        vols.tearDown(pod.getMetadata().getUid());
        assertThat(mounter.mounted).isEmpty();
        assertThat(dataDir.resolve("pods").resolve(pod.getMetadata().getUid())).doesNotExist();
    }

    @Test
    void unknownEmptyDirMediumIsRejected() {
        Pod pod = pod(NS, "odd", new VolumeBuilder().withName("x").withNewEmptyDir().withMedium("HugePages-1Gi").endEmptyDir().build());
        assertThatThrownBy(() -> volumes.setUp(pod)).isInstanceOf(VolumeException.class)
                .hasMessageContaining("volume \"x\"").hasMessageContaining("emptyDir.medium: Unsupported value: \"HugePages-1Gi\"");
    }

    // --- hostPath ---

    @Test
    void hostPathDirectoryOrCreateMakesTheDirectoryAndFileOrCreateAnEmptyFile() throws IOException {
        Path dir = hostDir.resolve("made/here");
        Path file = hostDir.resolve("made.txt");
        Map<String, Path> out = volumes.setUp(pod(NS, "hp", hostPath("d", dir, "DirectoryOrCreate"),
                hostPath("f", file, "FileOrCreate")));

        assertThat(out).containsEntry("d", dir).containsEntry("f", file);
        assertThat(dir).isDirectory();
        assertThat(mode(dir)).isEqualTo(0755);
        assertThat(file).isRegularFile().isEmptyFile();
        assertThat(mode(file)).isEqualTo(0644);
    }

    @Test
    void hostPathTypeChecksFailWithKubeletsTexts() throws IOException {
        Path file = Files.writeString(hostDir.resolve("plain"), "x");
        Path dir = Files.createDirectory(hostDir.resolve("dir"));
        Path missing = hostDir.resolve("missing");
        record Case(Path path, String type, String message) {
        }
        for (Case c : List.of(
                new Case(file, "Directory", file + " is not a directory"),
                new Case(file, "DirectoryOrCreate", file + " is not a directory"),
                new Case(missing, "Directory", missing + " is not a directory"),
                new Case(dir, "File", dir + " is not a file"),
                new Case(dir, "FileOrCreate", dir + " is not a file"),
                new Case(missing, "File", missing + " is not a file"),
                new Case(file, "Socket", file + " is not a socket file"),
                new Case(file, "CharDevice", file + " is not a character device"),
                new Case(Path.of("/dev/null"), "BlockDevice", "/dev/null is not a block device"))) {
            assertThatThrownBy(() -> volumes.setUp(pod(NS, "hp", hostPath("host", c.path, c.type))))
                    .as("%s %s", c.type, c.path)
                    .isInstanceOf(VolumeException.class)
                    .hasMessage("MountVolume.SetUp failed for volume \"host\" : hostPath type check failed: " + c.message);
        }
        assertThatThrownBy(() -> volumes.setUp(pod(NS, "hp", hostPath("host", dir, "Folder"))))
                .hasMessage("MountVolume.SetUp failed for volume \"host\" : Folder is an invalid volume type");
        assertThat(missing).doesNotExist();
    }

    @Test
    void hostPathTypeChecksPassForTheRightKindAndAnEmptyTypeChecksNothing() throws IOException {
        Path socket = hostDir.resolve("s.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
            Path file = Files.writeString(hostDir.resolve("f"), "x");
            Map<String, Path> out = volumes.setUp(pod(NS, "hp",
                    hostPath("sock", socket, "Socket"),
                    hostPath("null", Path.of("/dev/null"), "CharDevice"),
                    hostPath("file", file, "File"),
                    hostPath("dir", hostDir, "Directory"),
                    hostPath("any", hostDir.resolve("not-there"), "")));
            assertThat(out).containsEntry("sock", socket).containsEntry("any", hostDir.resolve("not-there"));
        }
        assertThat(hostDir.resolve("not-there")).doesNotExist();
    }

    @Test
    void hostPathMustBeAbsolute() {
        Pod pod = pod(NS, "hp", new VolumeBuilder().withName("rel").withNewHostPath().withPath("var/log").endHostPath().build());
        assertThatThrownBy(() -> volumes.setUp(pod))
                .hasMessage("MountVolume.SetUp failed for volume \"rel\" : hostPath.path: Invalid value: \"var/log\": must be an absolute path");
    }

    // --- configMap ---

    @Test
    void configMapKeysBecomeFilesWith0644AndBinaryDataIsDecoded() throws IOException {
        api.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("app-config")
                .endMetadata().withData(Map.of("app.properties", "a=1\n", "empty", ""))
                .withBinaryData(Map.of("blob", Base64.getEncoder().encodeToString(new byte[]{0, 1, 2, (byte) 255})))
                .build()).create();
        Pod pod = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("app-config")
                .endConfigMap().build());

        Path dir = volumes.setUp(pod).get("config");

        assertThat(dir).isEqualTo(dataDir.resolve("pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~configmap/config"));
        assertThat(read(dir.resolve("app.properties"))).isEqualTo("a=1\n");
        assertThat(dir.resolve("empty")).isEmptyFile();
        assertThat(Files.readAllBytes(dir.resolve("blob"))).containsExactly(0, 1, 2, 255);
        assertThat(mode(dir.resolve("app.properties"))).isEqualTo(0644);
        assertThat(Files.isSymbolicLink(dir.resolve("app.properties"))).isTrue();
        assertThat(Files.readSymbolicLink(dir.resolve("app.properties"))).isEqualTo(Path.of("..data/app.properties"));
        assertThat(Files.isSymbolicLink(dir.resolve("..data"))).isTrue();
        assertThat(PodVolumes.forcedReadOnly(pod, "config")).isTrue();
    }

    @Test
    void configMapItemsMapKeysToPathsWithTheirOwnModesAndTheDefaultMode() throws IOException {
        createConfigMap("items", Map.of("a", "A", "b", "B", "c", "C"));
        Pod pod = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("items")
                .withDefaultMode(0640)
                .addNewItem().withKey("a").withPath("conf/a.txt").endItem()
                .addNewItem().withKey("b").withPath("b.sh").withMode(0755).endItem()
                .endConfigMap().build());

        Path dir = volumes.setUp(pod).get("config");

        assertThat(read(dir.resolve("conf/a.txt"))).isEqualTo("A");
        assertThat(read(dir.resolve("b.sh"))).isEqualTo("B");
        assertThat(dir.resolve("c")).doesNotExist();
        assertThat(mode(dir.resolve("conf/a.txt"))).isEqualTo(0640);
        assertThat(mode(dir.resolve("b.sh"))).isEqualTo(0755);
        assertThat(Files.readSymbolicLink(dir.resolve("conf"))).isEqualTo(Path.of("..data/conf"));
    }

    @Test
    void missingConfigMapOrKeyFailsNamingTheVolumeUnlessOptional() throws IOException {
        createConfigMap("partial", Map.of("present", "p"));
        Pod missing = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("nope").endConfigMap().build());
        assertThatThrownBy(() -> volumes.setUp(missing)).isInstanceOf(VolumeException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"config\" : configmap \"nope\" not found");

        Pod missingKey = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("partial")
                .addNewItem().withKey("absent").withPath("x").endItem().endConfigMap().build());
        assertThatThrownBy(() -> volumes.setUp(missingKey))
                .hasMessage("MountVolume.SetUp failed for volume \"config\" : configmap references non-existent config key: absent");

        Pod optional = pod(NS, "cm",
                new VolumeBuilder().withName("gone").withNewConfigMap().withName("nope").withOptional(true).endConfigMap().build(),
                new VolumeBuilder().withName("some").withNewConfigMap().withName("partial").withOptional(true)
                        .addNewItem().withKey("absent").withPath("x").endItem()
                        .addNewItem().withKey("present").withPath("y").endItem().endConfigMap().build());
        Map<String, Path> out = volumes.setUp(optional);
        assertThat(out.get("gone")).isDirectory();
        try (var list = Files.list(out.get("gone"))) {
            assertThat(list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".."))).isEmpty();
        }
        assertThat(out.get("some").resolve("x")).doesNotExist();
        assertThat(read(out.get("some").resolve("y"))).isEqualTo("p");
    }

    @Test
    void changedConfigMapShowsUpAtTheSamePathAndAnUnchangedOneIsNotRewritten() throws IOException {
        createConfigMap("live", Map.of("greeting", "hello", "old", "o"));
        Pod pod = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("live").endConfigMap().build());
        Path dir = volumes.setUp(pod).get("config");
        Path firstTarget = Files.readSymbolicLink(dir.resolve("..data"));

        volumes.setUp(pod);
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(firstTarget);

        createConfigMap("live", Map.of("greeting", "bonjour", "new", "n"));
        assertThat(volumes.setUp(pod).get("config")).isEqualTo(dir);

        assertThat(read(dir.resolve("greeting"))).isEqualTo("bonjour");
        assertThat(read(dir.resolve("new"))).isEqualTo("n");
        assertThat(dir.resolve("old")).doesNotExist();
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isNotEqualTo(firstTarget);
        assertThat(dir.resolve(firstTarget)).doesNotExist();
    }

    @Test
    void deletedConfigMapLeavesTheLastContentInPlace() throws IOException {
        createConfigMap("short-lived", Map.of("k", "v"));
        Pod pod = pod(NS, "cm", new VolumeBuilder().withName("config").withNewConfigMap().withName("short-lived").endConfigMap().build());
        Path dir = volumes.setUp(pod).get("config");
        api.client.configMaps().inNamespace(NS).withName("short-lived").delete();
        org.awaitility.Awaitility.await().until(() -> api.client.configMaps().inNamespace(NS).withName("short-lived").get() == null);

        assertThat(volumes.setUp(pod).get("config")).isEqualTo(dir);
        assertThat(read(dir.resolve("k"))).isEqualTo("v");
    }

    // --- secret ---

    @Test
    void secretFilesAreDecodedAndWritten0644ByDefault() throws IOException {
        api.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .withData(Map.of("password", Base64.getEncoder().encodeToString("s3cret".getBytes(StandardCharsets.UTF_8)),
                        "user", Base64.getEncoder().encodeToString("admin".getBytes(StandardCharsets.UTF_8))))
                .build()).create();
        Pod pod = pod(NS, "sec",
                new VolumeBuilder().withName("creds").withNewSecret().withSecretName("creds").endSecret().build(),
                new VolumeBuilder().withName("only-user").withNewSecret().withSecretName("creds").withDefaultMode(0400)
                        .addNewItem().withKey("user").withPath("name").endItem().endSecret().build());

        Map<String, Path> out = volumes.setUp(pod);

        Path dir = out.get("creds");
        assertThat(dir).isEqualTo(dataDir.resolve("pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~secret/creds"));
        assertThat(read(dir.resolve("password"))).isEqualTo("s3cret");
        assertThat(mode(dir.resolve("password"))).isEqualTo(0644);
        assertThat(read(out.get("only-user").resolve("name"))).isEqualTo("admin");
        assertThat(mode(out.get("only-user").resolve("name"))).isEqualTo(0400);
        assertThat(out.get("only-user").resolve("password")).doesNotExist();
    }

    @Test
    void missingSecretOrKeyFailsInKubeletsWords() {
        Pod missing = pod(NS, "sec", new VolumeBuilder().withName("creds").withNewSecret().withSecretName("absent").endSecret().build());
        assertThatThrownBy(() -> volumes.setUp(missing))
                .hasMessage("MountVolume.SetUp failed for volume \"creds\" : secret \"absent\" not found");
        api.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("one-key").endMetadata()
                .withData(Map.of("a", "YQ==")).build()).create();
        Pod missingKey = pod(NS, "sec", new VolumeBuilder().withName("creds").withNewSecret().withSecretName("one-key")
                .addNewItem().withKey("b").withPath("b").endItem().endSecret().build());
        assertThatThrownBy(() -> volumes.setUp(missingKey))
                .hasMessage("MountVolume.SetUp failed for volume \"creds\" : references non-existent secret key: b");
    }

    // --- downwardAPI ---

    @Test
    void downwardApiWritesPodFieldsAndContainerResources() throws IOException {
        Pod pod = new PodBuilder(pod(NS, "web-0", new VolumeBuilder().withName("podinfo").withNewDownwardAPI()
                .addNewItem().withPath("name").withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endItem()
                .addNewItem().withPath("namespace").withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endItem()
                .addNewItem().withPath("uid").withNewFieldRef().withFieldPath("metadata.uid").endFieldRef().endItem()
                .addNewItem().withPath("labels").withNewFieldRef().withFieldPath("metadata.labels").endFieldRef().endItem()
                .addNewItem().withPath("annotations").withNewFieldRef().withFieldPath("metadata.annotations").endFieldRef().endItem()
                .addNewItem().withPath("tier").withNewFieldRef().withFieldPath("metadata.labels['tier']").endFieldRef().endItem()
                .addNewItem().withPath("mem-limit-mi").withNewResourceFieldRef().withContainerName("app")
                .withResource("limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef().endItem()
                .addNewItem().withPath("cpu-request-m").withNewResourceFieldRef().withContainerName("app")
                .withResource("requests.cpu").withDivisor(new Quantity("1m")).endResourceFieldRef().endItem()
                .addNewItem().withPath("cpu-request").withNewResourceFieldRef().withContainerName("app")
                .withResource("requests.cpu").endResourceFieldRef().endItem()
                .addNewItem().withPath("cpu-limit").withNewResourceFieldRef().withContainerName("app")
                .withResource("limits.cpu").endResourceFieldRef().endItem()
                .endDownwardAPI().build()))
                .editMetadata().addToLabels("tier", "web").addToLabels("app", "shop")
                .addToAnnotations("note", "say \"hi\"\n").endMetadata()
                .editSpec().editFirstContainer().withNewResources()
                .addToLimits("memory", new Quantity("128Mi")).addToRequests("cpu", new Quantity("250m"))
                .endResources().endContainer().endSpec()
                .build();

        Path dir = volumes.setUp(pod).get("podinfo");

        assertThat(dir).isEqualTo(dataDir.resolve("pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~downward-api/podinfo"));
        assertThat(read(dir.resolve("name"))).isEqualTo("web-0");
        assertThat(read(dir.resolve("namespace"))).isEqualTo(NS);
        assertThat(read(dir.resolve("uid"))).isEqualTo(pod.getMetadata().getUid());
        assertThat(read(dir.resolve("labels"))).isEqualTo("app=\"shop\"\ntier=\"web\"");
        assertThat(read(dir.resolve("annotations"))).isEqualTo("note=\"say \\\"hi\\\"\\n\"");
        assertThat(read(dir.resolve("tier"))).isEqualTo("web");
        assertThat(read(dir.resolve("mem-limit-mi"))).isEqualTo("128");
        assertThat(read(dir.resolve("cpu-request-m"))).isEqualTo("250");
        assertThat(read(dir.resolve("cpu-request"))).isEqualTo("1");
        assertThat(read(dir.resolve("cpu-limit"))).as("no limit: the node's allocatable").isEqualTo("4");
        assertThat(mode(dir.resolve("name"))).isEqualTo(0644);
    }

    @Test
    void downwardApiChangesWhenTheLabelsChange() throws IOException {
        Pod pod = pod(NS, "lab", new VolumeBuilder().withName("info").withNewDownwardAPI()
                .addNewItem().withPath("labels").withNewFieldRef().withFieldPath("metadata.labels").endFieldRef().endItem()
                .endDownwardAPI().build());
        Path dir = volumes.setUp(pod).get("info");
        assertThat(read(dir.resolve("labels"))).isEmpty();

        volumes.setUp(new PodBuilder(pod).editMetadata().addToLabels("version", "2").endMetadata().build());

        assertThat(read(dir.resolve("labels"))).isEqualTo("version=\"2\"");
    }

    @Test
    void downwardApiRejectsUnknownFieldsAndContainers() {
        Pod field = pod(NS, "bad", new VolumeBuilder().withName("info").withNewDownwardAPI()
                .addNewItem().withPath("ip").withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endItem()
                .endDownwardAPI().build());
        assertThatThrownBy(() -> volumes.setUp(field))
                .hasMessage("MountVolume.SetUp failed for volume \"info\" : unsupported fieldPath: status.podIP");
        Pod container = pod(NS, "bad", new VolumeBuilder().withName("info").withNewDownwardAPI()
                .addNewItem().withPath("m").withNewResourceFieldRef().withContainerName("sidecar").withResource("limits.memory")
                .endResourceFieldRef().endItem().endDownwardAPI().build());
        assertThatThrownBy(() -> volumes.setUp(container))
                .hasMessage("MountVolume.SetUp failed for volume \"info\" : container sidecar not found");
    }

    // --- projected ---

    @Test
    void projectedVolumeMergesConfigMapSecretAndDownwardSourcesWithTheDefaultMode() throws IOException {
        createConfigMap("proj-cm", Map.of("settings", "s"));
        api.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("proj-secret").endMetadata()
                .withData(Map.of("token", "dA==")).build()).create();
        Pod pod = pod(NS, "proj", new VolumeBuilder().withName("all").withNewProjected().withDefaultMode(0600)
                .addNewSource().withNewConfigMap().withName("proj-cm").endConfigMap().endSource()
                .addNewSource().withNewSecret().withName("proj-secret").addNewItem().withKey("token").withPath("secret/token")
                .endItem().endSecret().endSource()
                .addNewSource().withNewSecret().withName("absent").withOptional(true).endSecret().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("name").withNewFieldRef()
                .withFieldPath("metadata.name").endFieldRef().endItem().endDownwardAPI().endSource()
                .endProjected().build());

        Path dir = volumes.setUp(pod).get("all");

        assertThat(dir).isEqualTo(dataDir.resolve("pods/" + pod.getMetadata().getUid() + "/volumes/kubernetes.io~projected/all"));
        assertThat(read(dir.resolve("settings"))).isEqualTo("s");
        assertThat(read(dir.resolve("secret/token"))).isEqualTo("t");
        assertThat(read(dir.resolve("name"))).isEqualTo("proj");
        assertThat(mode(dir.resolve("settings"))).isEqualTo(0600);
        assertThat(mode(dir.resolve("secret/token"))).isEqualTo(0600);
    }

    @Test
    void projectedMissingConfigMapFailsNamingTheVolume() {
        Pod pod = pod(NS, "proj", new VolumeBuilder().withName("all").withNewProjected()
                .addNewSource().withNewConfigMap().withName("nowhere").endConfigMap().endSource().endProjected().build());
        assertThatThrownBy(() -> volumes.setUp(pod))
                .hasMessage("MountVolume.SetUp failed for volume \"all\" : configmap \"nowhere\" not found");
    }

    // --- errors, teardown ---

    @Test
    void unsupportedVolumeTypeIsNamed() {
        Pod pod = pod(NS, "nfs", new VolumeBuilder().withName("share").withNewNfs().withServer("10.0.0.1").withPath("/x")
                .endNfs().build());
        assertThatThrownBy(() -> volumes.setUp(pod)).isInstanceOf(VolumeException.class)
                .hasMessageStartingWith("MountVolume.SetUp failed for volume \"share\" : volume type nfs is not supported by this node");
    }

    @Test
    void tearDownRemovesThePodsDirectoryButNeverFollowsLinksOutOfIt() throws IOException {
        createConfigMap("td", Map.of("k", "v"));
        Path outside = Files.writeString(hostDir.resolve("precious"), "data");
        Pod pod = pod(NS, "td", emptyDir("scratch"), hostPath("host", hostDir, "Directory"),
                new VolumeBuilder().withName("cfg").withNewConfigMap().withName("td").endConfigMap().build());
        Pod other = pod(NS, "other", emptyDir("scratch"));
        Map<String, Path> out = volumes.setUp(pod);
        volumes.setUp(other);
        Files.createSymbolicLink(out.get("scratch").resolve("link-out"), hostDir);
        String uid = pod.getMetadata().getUid();

        assertThat(volumes.podUidsOnDisk()).containsExactlyInAnyOrder(uid, other.getMetadata().getUid());
        volumes.tearDown(uid);

        assertThat(dataDir.resolve("pods").resolve(uid)).doesNotExist();
        assertThat(outside).hasContent("data");
        assertThat(volumes.podUidsOnDisk()).containsExactly(other.getMetadata().getUid());
        volumes.tearDown(uid); // idempotent
    }

    @Test
    void badVolumeNamesAreRejectedBeforeTouchingTheDisk() {
        Pod pod = pod(NS, "bad", emptyDir("../../escape"));
        assertThatThrownBy(() -> volumes.setUp(pod)).isInstanceOf(VolumeException.class)
                .hasMessageContaining("spec.volumes[].name: Invalid value: \"../../escape\"");
        assertThat(dataDir.resolve("pods")).doesNotExist();
    }

    /** Records mounts instead of making them. */
    static final class FakeMounter implements Mounter {
        final Optional<String> cannot;
        final List<String> mounts = new ArrayList<>();
        final List<Path> mounted = new ArrayList<>();

        FakeMounter(Optional<String> cannot) {
            this.cannot = cannot;
        }

        @Override
        public Optional<String> cannotMount() {
            return cannot;
        }

        @Override
        public void mountTmpfs(Path dir, long sizeBytes) {
            mounts.add(dir + " size=" + sizeBytes);
            mounted.add(dir);
        }

        @Override
        public void unmount(Path dir) {
            mounted.remove(dir);
        }

        @Override
        public List<Path> mountsUnder(Path dir) {
            return mounted.stream().filter(p -> p.startsWith(dir)).toList();
        }
    }

    static boolean isDir(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }
}
