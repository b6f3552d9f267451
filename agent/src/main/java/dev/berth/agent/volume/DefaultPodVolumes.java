package dev.berth.agent.volume;

import dev.berth.agent.volume.AtomicWriter.FileProjection;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Pod volumes as kubelet lays them out: {@code <dataDir>/pods/<uid>/volumes/<plugin>/<name>}, with
 * kubelet's plugin names ({@code kubernetes.io~empty-dir}, {@code kubernetes.io~configmap},
 * {@code kubernetes.io~secret}, {@code kubernetes.io~downward-api}, {@code kubernetes.io~projected}).
 * hostPath and persistentVolumeClaim volumes are the node's own directories and are handed back as
 * they are. Failures carry kubelet's FailedMount text: {@code MountVolume.SetUp failed for volume
 * "x" : ...}.
 */
public final class DefaultPodVolumes implements PodVolumes {
    private static final Logger LOG = Logger.getLogger(DefaultPodVolumes.class.getName());
    static final String EMPTY_DIR = "kubernetes.io~empty-dir";
    static final String CONFIG_MAP = "kubernetes.io~configmap";
    static final String SECRET = "kubernetes.io~secret";
    static final String DOWNWARD_API = "kubernetes.io~downward-api";
    static final String PROJECTED = "kubernetes.io~projected";
    /** Directories the local-path provisioner asks for: world-writable, as k3s's provisioner makes them. */
    private static final int LOCAL_PATH_DIR_MODE = 0777;
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path podsDir;
    private final KubernetesClient client;
    private final Clock clock;
    private final String nodeName;
    private final Mounter mounter;
    private final ServiceAccountTokens tokens;
    /** Per pod uid: serializes setUp and tearDown of one pod (pod workers are serial, cleanup may not be). */
    private final Map<String, Object> podLocks = new ConcurrentHashMap<>();
    /** pod uid/volume name of the volumes given to the pod's fsGroup once (not rewritten ones). */
    private final java.util.Set<String> ownershipApplied = ConcurrentHashMap.newKeySet();


    public DefaultPodVolumes(Path dataDir, KubernetesClient client, Clock clock, String nodeName) {
        this(dataDir, client, clock, nodeName, Mounter.SYSTEM);
    }

    DefaultPodVolumes(Path dataDir, KubernetesClient client, Clock clock, String nodeName, Mounter mounter) {
        this.podsDir = dataDir.resolve("pods");
        this.client = client;
        this.clock = clock;
        this.nodeName = nodeName;
        this.mounter = mounter;
        this.tokens = new ServiceAccountTokens(client, clock);
    }

    /** The directory of one volume of a pod, whether or not it exists. */
    public Path volumeDir(String podUid, String plugin, String volumeName) {
        return podsDir.resolve(podUid).resolve("volumes").resolve(plugin).resolve(volumeName);
    }

    @Override
    public Map<String, Path> setUp(Pod pod) {
        String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
        if (uid == null || !SAFE_NAME.matcher(uid).matches()) {
            throw new VolumeException("metadata.uid: Invalid value: \"" + uid + "\": a pod needs a uid to have volumes");
        }
        List<Volume> volumes = pod.getSpec() == null || pod.getSpec().getVolumes() == null ? List.of()
                : pod.getSpec().getVolumes();
        Map<String, Path> out = new LinkedHashMap<>();
        synchronized (podLocks.computeIfAbsent(uid, k -> new Object())) {
            for (Volume v : volumes) {
                String name = v.getName();
                if (name == null || !SAFE_NAME.matcher(name).matches() || name.length() > 63) {
                    throw new VolumeException("spec.volumes[].name: Invalid value: \"" + name
                            + "\": a volume name must be a DNS label (lower-case letters, digits and '-', at most 63)");
                }
                try {
                    out.put(name, setUp(pod, uid, v));
                } catch (SetUpFailure e) {
                    throw new VolumeException("MountVolume.SetUp failed for volume \"" + name + "\" : " + e.getMessage(), e);
                } catch (IOException | RuntimeException e) {
                    throw new VolumeException("MountVolume.SetUp failed for volume \"" + name + "\" : " + e, e);
                }
            }
        }
        return out;
    }

    /**
     * With {@code securityContext.fsGroup}, gives the volume to that group, for the volume types
     * whose ownership kubelet manages (emptyDir, configMap, secret, downwardAPI, projected, local
     * persistent volumes; never hostPath). Volumes the agent rewrites ({@code payload}) get it after
     * every setup, as their files may be new; the others once per pod, honouring
     * fsGroupChangePolicy OnRootMismatch.
     */
    private void applyFsGroup(Pod pod, String uid, Volume v, Path dir, boolean payload) throws IOException {
        var psc = pod.getSpec().getSecurityContext();
        if (psc == null || psc.getFsGroup() == null) {
            return;
        }
        if (!payload && !ownershipApplied.add(uid + "/" + v.getName())) {
            return;
        }
        boolean onRootMismatch = "OnRootMismatch".equals(psc.getFsGroupChangePolicy());
        VolumeOwnership.apply(dir, psc.getFsGroup(), payload, onRootMismatch && !payload);
    }

    private Path setUp(Pod pod, String uid, Volume v) throws SetUpFailure, IOException {
        String name = v.getName();
        String ns = pod.getMetadata().getNamespace();
        if (v.getEmptyDir() != null) {
            Path dir = emptyDir(pod, uid, name, v.getEmptyDir());
            applyFsGroup(pod, uid, v, dir, false);
            return dir;
        }
        if (v.getHostPath() != null) {
            String p = v.getHostPath().getPath();
            if (p == null || !p.startsWith("/")) {
                throw new SetUpFailure("hostPath.path: Invalid value: \"" + p + "\": must be an absolute path");
            }
            Path path = Path.of(p).normalize();
            HostPathTypes.check(path, v.getHostPath().getType());
            return path;
        }
        if (v.getConfigMap() != null) {
            var src = v.getConfigMap();
            Path dir = volumeDir(uid, CONFIG_MAP, name);
            write(dir, () -> configMapFiles(ns, src.getName(), src.getItems(),
                    Payloads.mode(src.getDefaultMode(), Payloads.DEFAULT_MODE, "configMap.defaultMode"),
                    Boolean.TRUE.equals(src.getOptional())));
            applyFsGroup(pod, uid, v, dir, true);
            return dir;
        }
        if (v.getSecret() != null) {
            var src = v.getSecret();
            Path dir = volumeDir(uid, SECRET, name);
            write(dir, () -> secretFiles(ns, src.getSecretName(), src.getItems(),
                    Payloads.mode(src.getDefaultMode(), Payloads.DEFAULT_MODE, "secret.defaultMode"),
                    Boolean.TRUE.equals(src.getOptional())));
            applyFsGroup(pod, uid, v, dir, true);
            return dir;
        }
        if (v.getDownwardAPI() != null) {
            var src = v.getDownwardAPI();
            Path dir = volumeDir(uid, DOWNWARD_API, name);
            write(dir, () -> Payloads.downward(pod, src.getItems(),
                    Payloads.mode(src.getDefaultMode(), Payloads.DEFAULT_MODE, "downwardAPI.defaultMode"),
                    this::allocatable));
            applyFsGroup(pod, uid, v, dir, true);
            return dir;
        }
        if (v.getProjected() != null) {
            Path dir = volumeDir(uid, PROJECTED, name);
            write(dir, () -> projectedFiles(pod, v));
            applyFsGroup(pod, uid, v, dir, true);
            return dir;
        }
        if (v.getPersistentVolumeClaim() != null) {
            ClaimDir claim = claim(ns, v.getPersistentVolumeClaim().getClaimName());
            if (claim.ownershipManaged()) {
                applyFsGroup(pod, uid, v, claim.dir(), false);
            }
            return claim.dir();
        }
        throw new SetUpFailure("volume type " + typeOf(v) + " is not supported by this node (supported: emptyDir, "
                + "hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim)");
    }

    private static String typeOf(Volume v) {
        Map<String, Object> props = v.getAdditionalProperties();
        if (v.getNfs() != null) return "nfs";
        if (v.getCsi() != null) return "csi";
        if (v.getEphemeral() != null) return "ephemeral";
        if (v.getIscsi() != null) return "iscsi";
        if (v.getImage() != null) return "image";
        if (v.getGitRepo() != null) return "gitRepo";
        return props == null || props.isEmpty() ? "(none given)" : String.join(",", props.keySet());
    }

    @FunctionalInterface
    private interface PayloadSource {
        Map<String, FileProjection> get() throws SetUpFailure;
    }

    /**
     * Writes a payload atomically. When the sources cannot be read (the API server is away, or the
     * object was deleted) and the volume already has content, the content stays as it is, as
     * kubelet keeps a mounted volume: containers go on, and restarts still find their files.
     */
    private void write(Path dir, PayloadSource source) throws SetUpFailure, IOException {
        AtomicWriter writer = new AtomicWriter(dir, clock);
        Map<String, FileProjection> payload;
        try {
            payload = source.get();
        } catch (SetUpFailure | KubernetesClientException e) {
            if (writer.hasContent()) {
                LOG.log(Level.WARNING, "keeping the last content of " + dir + ": " + e.getMessage());
                return;
            }
            if (e instanceof KubernetesClientException kce) {
                throw new SetUpFailure(kce.getMessage(), kce);
            }
            throw (SetUpFailure) e;
        }
        try {
            if (writer.write(payload)) {
                LOG.fine(() -> "wrote " + dir);
            }
        } catch (IllegalArgumentException e) {
            throw new SetUpFailure(e.getMessage(), e);
        }
    }

    private Map<String, FileProjection> configMapFiles(String ns, String name, List<io.fabric8.kubernetes.api.model.KeyToPath> items,
                                                       int defaultMode, boolean optional) throws SetUpFailure {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
        if (cm == null) {
            if (optional) {
                return Map.of();
            }
            throw new SetUpFailure("configmap \"" + name + "\" not found");
        }
        return Payloads.keyed(Payloads.contentOf(cm), items, defaultMode, optional,
                key -> "configmap references non-existent config key: " + key);
    }

    private Map<String, FileProjection> secretFiles(String ns, String name, List<io.fabric8.kubernetes.api.model.KeyToPath> items,
                                                    int defaultMode, boolean optional) throws SetUpFailure {
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            if (optional) {
                return Map.of();
            }
            throw new SetUpFailure("secret \"" + name + "\" not found");
        }
        return Payloads.keyed(Payloads.contentOf(secret), items, defaultMode, optional,
                key -> "references non-existent secret key: " + key);
    }

    private Map<String, FileProjection> projectedFiles(Pod pod, Volume v) throws SetUpFailure {
        var src = v.getProjected();
        String ns = pod.getMetadata().getNamespace();
        int defaultMode = Payloads.mode(src.getDefaultMode(), Payloads.DEFAULT_MODE, "projected.defaultMode");
        Map<String, FileProjection> out = new TreeMap<>();
        List<VolumeProjection> sources = src.getSources() == null ? List.of() : src.getSources();
        for (int i = 0; i < sources.size(); i++) {
            VolumeProjection s = sources.get(i);
            Map<String, FileProjection> part;
            if (s.getConfigMap() != null) {
                var c = s.getConfigMap();
                part = configMapFiles(ns, c.getName(), c.getItems(), defaultMode, Boolean.TRUE.equals(c.getOptional()));
            } else if (s.getSecret() != null) {
                var c = s.getSecret();
                part = secretFiles(ns, c.getName(), c.getItems(), defaultMode, Boolean.TRUE.equals(c.getOptional()));
            } else if (s.getDownwardAPI() != null) {
                part = Payloads.downward(pod, s.getDownwardAPI().getItems(), defaultMode, this::allocatable);
            } else if (s.getServiceAccountToken() != null) {
                part = tokens.files(pod, s.getServiceAccountToken(), defaultMode);
            } else {
                throw new SetUpFailure("projected.sources[" + i + "]: Unsupported value: only configMap, secret, "
                        + "downwardAPI and serviceAccountToken sources are supported by this node");
            }
            for (var e : part.entrySet()) {
                if (out.put(e.getKey(), e.getValue()) != null) {
                    throw new SetUpFailure("projected.sources[" + i + "]: Duplicate value: path \"" + e.getKey()
                            + "\" is written by two sources");
                }
            }
        }
        return out;
    }

    /** The node's allocatable resources, for limits a container does not set. */
    private Map<String, Quantity> allocatable() {
        try {
            var node = client.nodes().withName(nodeName).get();
            if (node != null && node.getStatus() != null && node.getStatus().getAllocatable() != null) {
                return node.getStatus().getAllocatable();
            }
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "cannot read node " + nodeName + " for its allocatable resources: " + e.getMessage());
        }
        return Map.of();
    }

    private Path emptyDir(Pod pod, String uid, String name, EmptyDirVolumeSource src) throws SetUpFailure, IOException {
        Path dir = volumeDir(uid, EMPTY_DIR, name);
        String medium = src.getMedium() == null ? "" : src.getMedium();
        switch (medium) {
            case "" -> {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, AtomicWriter.permissions(0777));
                }
            }
            case "Memory" -> {
                Files.createDirectories(dir);
                // the mount table names real paths
                Path real = dir.toRealPath();
                if (!mounter.mountsUnder(real).contains(real)) {
                    Optional<String> why = mounter.cannotMount();
                    if (why.isPresent()) {
                        throw new SetUpFailure("emptyDir.medium \"Memory\" needs a tmpfs mount, and " + why.get());
                    }
                    mounter.mountTmpfs(real, tmpfsSize(pod, src));
                    Files.setPosixFilePermissions(dir, AtomicWriter.permissions(0777));
                }
            }
            default -> throw new SetUpFailure("emptyDir.medium: Unsupported value: \"" + medium
                    + "\": supported values: \"\", \"Memory\"");
        }
        return dir;
    }

    /** The sizeLimit, else the pod's memory limit when every container has one, else tmpfs' default. */
    private static long tmpfsSize(Pod pod, EmptyDirVolumeSource src) {
        if (src.getSizeLimit() != null) {
            return Quantity.getAmountInBytes(src.getSizeLimit()).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        }
        BigDecimal sum = BigDecimal.ZERO;
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        for (Container c : containers) {
            Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
                    : c.getResources().getLimits().get("memory");
            if (limit == null) {
                return 0;
            }
            sum = sum.add(Quantity.getAmountInBytes(limit));
        }
        return containers.isEmpty() ? 0 : sum.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /** A claim's directory, and whether fsGroup applies to it (local volumes, not hostPath ones). */
    private record ClaimDir(Path dir, boolean ownershipManaged) {
    }

    private ClaimDir claim(String ns, String claimName) throws SetUpFailure {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
        if (claim == null) {
            throw new SetUpFailure("persistentvolumeclaim \"" + claimName + "\" not found");
        }
        String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
        if (volumeName == null || volumeName.isEmpty() || !"Bound".equals(phase)) {
            throw new SetUpFailure("persistentvolumeclaim \"" + claimName + "\" not bound");
        }
        PersistentVolume pv = client.persistentVolumes().withName(volumeName).get();
        if (pv == null) {
            throw new SetUpFailure("persistentvolume \"" + volumeName + "\" not found");
        }
        var ref = pv.getSpec().getClaimRef();
        if (ref == null || !claim.getMetadata().getUid().equals(ref.getUid())) {
            throw new SetUpFailure("the claim \"" + ns + "/" + claimName + "\" is not bound to volume \"" + volumeName + "\"");
        }
        checkNodeAffinity(pv);
        String path;
        String type;
        if (pv.getSpec().getHostPath() != null) {
            path = pv.getSpec().getHostPath().getPath();
            type = pv.getSpec().getHostPath().getType();
        } else if (pv.getSpec().getLocal() != null) {
            path = pv.getSpec().getLocal().getPath();
            type = "DirectoryOrCreate";
        } else {
            throw new SetUpFailure("persistentvolume \"" + volumeName + "\": only hostPath and local volumes are "
                    + "supported by this node");
        }
        if (path == null || !path.startsWith("/")) {
            throw new SetUpFailure("persistentvolume \"" + volumeName + "\": path \"" + path + "\" must be absolute");
        }
        boolean localPath = dev.berth.core.controller.volume.localpath.LocalPath.PROVISIONER.equals(
                pv.getMetadata().getAnnotations() == null ? null
                        : pv.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by"));
        Path dir = Path.of(path).normalize();
        HostPathTypes.check(dir, type == null || type.isEmpty() ? "DirectoryOrCreate" : type,
                localPath ? LOCAL_PATH_DIR_MODE : 0755);
        return new ClaimDir(dir, pv.getSpec().getLocal() != null || localPath);
    }

    /** A volume pinned to other nodes (required node affinity) is not mounted here. */
    private void checkNodeAffinity(PersistentVolume pv) throws SetUpFailure {
        var affinity = pv.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null || affinity.getRequired().getNodeSelectorTerms() == null
                || affinity.getRequired().getNodeSelectorTerms().isEmpty()) {
            return;
        }
        Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", nodeName);
        try {
            var node = client.nodes().withName(nodeName).get();
            if (node != null && node.getMetadata().getLabels() != null) {
                labels.putAll(node.getMetadata().getLabels());
            }
        } catch (KubernetesClientException e) {
            LOG.log(Level.FINE, "node labels unavailable, checking volume affinity by hostname only", e);
        }
        for (NodeSelectorTerm term : affinity.getRequired().getNodeSelectorTerms()) {
            if (matches(term, labels)) {
                return;
            }
        }
        throw new SetUpFailure("volume node affinity conflict: persistentvolume \"" + pv.getMetadata().getName()
                + "\" is pinned to other nodes than \"" + nodeName + "\"");
    }

    private boolean matches(NodeSelectorTerm term, Map<String, String> labels) {
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (exprs.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement r : exprs) {
            if (!matches(r, labels.get(r.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : fields) {
            if (!"metadata.name".equals(r.getKey()) || !matches(r, nodeName)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(NodeSelectorRequirement r, String value) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        return switch (r.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt", "Lt" -> {
                try {
                    long have = Long.parseLong(value);
                    long want = Long.parseLong(values.getFirst());
                    yield r.getOperator().equals("Gt") ? have > want : have < want;
                } catch (RuntimeException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }

    @Override
    public void tearDown(String podUid) {
        if (podUid == null || !SAFE_NAME.matcher(podUid).matches()) {
            throw new VolumeException("pod uid \"" + podUid + "\" is not a valid directory name");
        }
        Path podDir = podsDir.resolve(podUid);
        synchronized (podLocks.computeIfAbsent(podUid, k -> new Object())) {
            ownershipApplied.removeIf(k -> k.startsWith(podUid + "/"));
            try {
                Path real = Files.exists(podDir) ? podDir.toRealPath() : podDir;
                for (Path mount : mounter.mountsUnder(real)) {
                    mounter.unmount(mount);
                }
                List<Path> left = mounter.mountsUnder(real);
                if (!left.isEmpty()) {
                    throw new VolumeException("UnmountVolume.TearDown failed for pod \"" + podUid + "\": still mounted: " + left);
                }
                Tree.delete(podDir);
                tokens.forget(podUid);
            } catch (IOException e) {
                throw new VolumeException("UnmountVolume.TearDown failed for pod \"" + podUid + "\": " + e.getMessage(), e);
            } finally {
                podLocks.remove(podUid);
            }
        }
    }

    @Override
    public Set<String> podUidsOnDisk() {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(podsDir)) {
            return out;
        }
        try (DirectoryStream<Path> pods = Files.newDirectoryStream(podsDir, Files::isDirectory)) {
            for (Path p : pods) {
                out.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new VolumeException("cannot list " + podsDir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
