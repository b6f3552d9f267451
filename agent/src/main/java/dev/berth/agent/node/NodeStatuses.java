package dev.berth.agent.node;

import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.RuntimeInfo;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The parts of Node.status as kubelet computes them; pure functions. */
public final class NodeStatuses {
    /** kubelet's --max-pods default. */
    public static final int MAX_PODS = 110;
    /** kubelet lists at most this many images, the largest first... */
    public static final int MAX_IMAGES = 50;
    /** ...each with at most this many names. */
    public static final int MAX_NAMES_PER_IMAGE = 5;

    private NodeStatuses() {
    }

    /** Capacity: the machine's CPUs and memory, the pod limit, and the data directory's filesystem. */
    public static Map<String, Quantity> capacity(RuntimeInfo info, long ephemeralStorageBytes) {
        Map<String, Quantity> c = new LinkedHashMap<>();
        c.put("cpu", new Quantity(Integer.toString(info.cpus())));
        c.put("ephemeral-storage", bytes(ephemeralStorageBytes));
        c.put("hugepages-1Gi", new Quantity("0"));
        c.put("hugepages-2Mi", new Quantity("0"));
        c.put("memory", bytes(info.memoryBytes()));
        c.put("pods", new Quantity(Integer.toString(MAX_PODS)));
        return c;
    }

    /**
     * Allocatable: capacity minus the hard eviction thresholds (kubelet reserves nothing else by
     * default): memory less {@code memory.available}, ephemeral-storage less
     * {@code nodefs.available}'s share of it.
     */
    public static Map<String, Quantity> allocatable(RuntimeInfo info, long ephemeralStorageBytes, EvictionThresholds t) {
        Map<String, Quantity> a = capacity(info, ephemeralStorageBytes);
        a.put("memory", bytes(Math.max(0, info.memoryBytes() - t.memoryAvailableBytes())));
        long storage = ephemeralStorageBytes - EvictionThresholds.percentOf(ephemeralStorageBytes, t.nodefsAvailablePercent());
        a.put("ephemeral-storage", new Quantity(Long.toString(Math.max(0, storage))));
        return a;
    }

    /** Kubernetes writes whole kibibytes as {@code NKi}, other amounts as plain bytes. */
    static Quantity bytes(long n) {
        return n % 1024 == 0 && n != 0 ? new Quantity(n / 1024 + "Ki") : new Quantity(Long.toString(n));
    }

    public static List<NodeAddress> addresses(String internalIp, String hostname) {
        List<NodeAddress> out = new ArrayList<>();
        if (internalIp != null && !internalIp.isEmpty()) {
            out.add(new NodeAddressBuilder().withType("InternalIP").withAddress(internalIp).build());
        }
        out.add(new NodeAddressBuilder().withType("Hostname").withAddress(hostname).build());
        return out;
    }

    public static NodeSystemInfo nodeInfo(HostFacts facts, RuntimeInfo info, String kubeletVersion) {
        return new NodeSystemInfoBuilder()
                .withMachineID(facts.machineId())
                .withSystemUUID(facts.systemUuid())
                .withBootID(facts.bootId())
                .withKernelVersion(info.kernelVersion())
                .withOsImage(info.osImage())
                .withContainerRuntimeVersion(info.runtimeName() + "://" + info.runtimeVersion())
                .withKubeletVersion(kubeletVersion)
                .withKubeProxyVersion(kubeletVersion)
                .withOperatingSystem(info.os())
                .withArchitecture(info.architecture())
                .build();
    }

    /** The {@value #MAX_IMAGES} largest images, each with up to {@value #MAX_NAMES_PER_IMAGE} names; unnamed images are left out. */
    public static List<ContainerImage> images(List<ImageInfo> images) {
        return images.stream()
                .filter(i -> !i.names().isEmpty())
                .sorted(Comparator.comparingLong(ImageInfo::sizeBytes).reversed())
                .limit(MAX_IMAGES)
                .map(i -> new ContainerImageBuilder()
                        .withNames(i.names().subList(0, Math.min(MAX_NAMES_PER_IMAGE, i.names().size())))
                        .withSizeBytes(i.sizeBytes())
                        .build())
                .toList();
    }

    public static NodeStatus status(Map<String, Quantity> capacity, Map<String, Quantity> allocatable,
                                    List<NodeCondition> conditions, List<NodeAddress> addresses, NodeSystemInfo nodeInfo,
                                    List<ContainerImage> images, int kubeletPort) {
        return new NodeStatusBuilder()
                .withCapacity(capacity)
                .withAllocatable(allocatable)
                .withConditions(conditions)
                .withAddresses(addresses)
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNodeInfo(nodeInfo)
                .withImages(images)
                .build();
    }

    /** True when {@code desired} says something {@code current} does not, heartbeat times aside. */
    public static boolean changed(NodeStatus current, NodeStatus desired) {
        if (current == null) {
            return true;
        }
        for (NodeCondition want : desired.getConditions()) {
            NodeCondition have = NodeConditions.find(current, want.getType());
            if (have == null || !Objects.equals(have.getStatus(), want.getStatus())
                    || !Objects.equals(have.getReason(), want.getReason())
                    || !Objects.equals(have.getMessage(), want.getMessage())
                    || !Objects.equals(have.getLastTransitionTime(), want.getLastTransitionTime())) {
                return true;
            }
        }
        return !sameQuantities(current.getCapacity(), desired.getCapacity())
                || !sameQuantities(current.getAllocatable(), desired.getAllocatable())
                || !Objects.equals(current.getAddresses(), desired.getAddresses())
                || !Objects.equals(current.getNodeInfo(), desired.getNodeInfo())
                || !Objects.equals(current.getImages(), desired.getImages())
                || !Objects.equals(current.getDaemonEndpoints(), desired.getDaemonEndpoints());
    }

    private static boolean sameQuantities(Map<String, Quantity> a, Map<String, Quantity> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (var e : b.entrySet()) {
            Quantity q = a.get(e.getKey());
            if (q == null || q.getNumericalAmount().compareTo(e.getValue().getNumericalAmount()) != 0) {
                return false;
            }
        }
        return true;
    }

    static String timestamp(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    static Instant parse(String ts) {
        if (ts == null || ts.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
