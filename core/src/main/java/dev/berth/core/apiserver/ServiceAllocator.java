package dev.berth.core.apiserver;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.store.Store;
import dev.berth.core.store.StoreException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Allocates Service cluster IPs and NodePorts as conditional writes of one store key per
 * address or port ({@code /core/serviceips/10.43.0.12}, {@code /core/servicenodeports/30080}),
 * so that concurrent creates, and several API servers on one etcd, never hand out the same one.
 */
public final class ServiceAllocator implements ResourceStorage.StorageHook {
    /** The cluster DNS Service's place in the range: 10.43.0.10 in 10.43.0.0/16, as kubeadm and k3s do. */
    public static final int CLUSTER_DNS_OFFSET = 10;
    /** The namespace and name of the cluster DNS Service, the only one that may hold its address. */
    public static final String CLUSTER_DNS_SERVICE = "kube-system/kube-dns";
    private static final String IP_PREFIX = "/core/serviceips/";
    private static final String PORT_PREFIX = "/core/servicenodeports/";

    private final Store store;
    private final BigInteger base;
    private final int size;
    private final int portMin;
    private final int portMax;

    public ServiceAllocator(Store store, String serviceCidr, int portMin, int portMax) {
        this.store = store;
        String[] parts = serviceCidr.split("/");
        try {
            byte[] addr = InetAddress.getByName(parts[0]).getAddress();
            int bits = Integer.parseInt(parts[1]);
            int hostBits = addr.length * 8 - bits;
            this.base = new BigInteger(1, addr);
            this.size = hostBits >= 20 ? 1 << 20 : 1 << hostBits;
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("--service-cidr: invalid value \"" + serviceCidr + "\": must be a CIDR like 10.43.0.0/16");
        }
        this.portMin = portMin;
        this.portMax = portMax;
    }

    /** The n-th address of the range (1 is the kubernetes Service). */
    public String address(int n) {
        try {
            byte[] raw = base.add(BigInteger.valueOf(n)).toByteArray();
            byte[] ip = new byte[4];
            System.arraycopy(raw, Math.max(0, raw.length - 4), ip, Math.max(0, 4 - raw.length), Math.min(4, raw.length));
            return InetAddress.getByAddress(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cluster DNS Service's address ({@link #CLUSTER_DNS_OFFSET} into the range), never given to
     * another Service; empty when the range is too small to hold it.
     */
    public java.util.Optional<String> clusterDnsAddress() {
        return CLUSTER_DNS_OFFSET < size - 1 ? java.util.Optional.of(address(CLUSTER_DNS_OFFSET)) : java.util.Optional.empty();
    }

    private boolean reserved(String ip, String owner) {
        return !CLUSTER_DNS_SERVICE.equals(owner) && clusterDnsAddress().map(ip::equals).orElse(false);
    }

    private boolean inRange(String ip) {
        try {
            BigInteger v = new BigInteger(1, InetAddress.getByName(ip).getAddress());
            BigInteger off = v.subtract(base);
            return off.signum() > 0 && off.compareTo(BigInteger.valueOf(size - 1)) < 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean take(String key, String owner) {
        try {
            store.create(key, ("{\"owner\":\"" + owner + "\"}").getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (StoreException.KeyExists e) {
            return false;
        }
    }

    private void release(String key) {
        try {
            store.delete(key, 0);
        } catch (StoreException.KeyNotFound e) {
            // already free
        }
    }

    @Override
    public void beforeCreate(ResourceType type, HasMetadata obj, boolean dryRun) {
        if (obj instanceof Service svc) {
            allocate(svc, null, dryRun);
        }
    }

    @Override
    public void beforeUpdate(ResourceType type, HasMetadata obj, HasMetadata old, boolean dryRun) {
        if (obj instanceof Service svc) {
            allocate(svc, (Service) old, dryRun);
        }
    }

    @Override
    public void writeFailed(ResourceType type, HasMetadata obj, HasMetadata old) {
        if (obj instanceof Service svc) {
            Set<String> keep = keys((Service) old);
            for (String k : keys(svc)) {
                if (!keep.contains(k)) {
                    release(k);
                }
            }
        }
    }

    @Override
    public void afterDelete(ResourceType type, HasMetadata obj) {
        if (obj instanceof Service svc) {
            keys(svc).forEach(this::release);
        }
    }

    private Set<String> keys(Service svc) {
        Set<String> k = new HashSet<>();
        if (svc == null || svc.getSpec() == null) {
            return k;
        }
        String ip = svc.getSpec().getClusterIP();
        if (ip != null && !ip.isEmpty() && !ip.equals("None")) {
            k.add(IP_PREFIX + ip);
        }
        for (ServicePort p : svc.getSpec().getPorts()) {
            if (p.getNodePort() != null && p.getNodePort() > 0) {
                k.add(PORT_PREFIX + p.getNodePort() + "-" + (p.getProtocol() == null ? "TCP" : p.getProtocol()));
            }
        }
        return k;
    }

    private void allocate(Service svc, Service old, boolean dryRun) {
        var spec = svc.getSpec();
        if (spec == null) {
            return;
        }
        String owner = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        if (type.equals("ExternalName")) {
            return;
        }
        String ip = spec.getClusterIP();
        String oldIp = old == null || old.getSpec() == null ? null : old.getSpec().getClusterIP();
        if (old != null && oldIp != null && !oldIp.isEmpty() && (ip == null || ip.isEmpty())) {
            spec.setClusterIP(oldIp);
            spec.setClusterIPs(List.of(oldIp));
        } else if (ip == null || ip.isEmpty()) {
            if (dryRun) {
                String candidate;
                do {
                    candidate = address(2 + ThreadLocalRandom.current().nextInt(size - 3));
                } while (reserved(candidate, owner));
                spec.setClusterIP(candidate);
            } else {
                spec.setClusterIP(allocateIp(owner));
            }
            spec.setClusterIPs(List.of(spec.getClusterIP()));
        } else if (!ip.equals("None") && !ip.equals(oldIp)) {
            if (!inRange(ip)) {
                throw ApiException.invalid("", "Service", svc.getMetadata().getName(), List.of(FieldError.invalid(
                        "spec.clusterIPs", ip, "provided IP is not in the valid range. The range of valid IPs is "
                                + address(0) + "/" + (32 - Integer.numberOfTrailingZeros(size)))));
            }
            if (reserved(ip, owner)) {
                throw ApiException.invalid("", "Service", svc.getMetadata().getName(), List.of(FieldError.invalid(
                        "spec.clusterIPs", ip, "provided IP is reserved for the cluster DNS Service " + CLUSTER_DNS_SERVICE)));
            }
            if (!dryRun && !take(IP_PREFIX + ip, owner)) {
                throw ApiException.invalid("", "Service", svc.getMetadata().getName(), List.of(FieldError.invalid(
                        "spec.clusterIPs", ip, "provided IP is already allocated")));
            }
            spec.setClusterIPs(List.of(ip));
        }
        boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        Set<String> oldPorts = new HashSet<>();
        if (old != null && old.getSpec() != null) {
            for (ServicePort p : old.getSpec().getPorts()) {
                if (p.getNodePort() != null) oldPorts.add(p.getNodePort() + "-" + proto(p));
            }
        }
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < spec.getPorts().size(); i++) {
            ServicePort p = spec.getPorts().get(i);
            if (!nodePorts) {
                p.setNodePort(null);
                continue;
            }
            if (p.getNodePort() == null || p.getNodePort() == 0) {
                Integer reuse = null;
                if (old != null && old.getSpec() != null) {
                    for (ServicePort op : old.getSpec().getPorts()) {
                        if (op.getNodePort() != null && op.getPort().equals(p.getPort()) && proto(op).equals(proto(p))) {
                            reuse = op.getNodePort();
                        }
                    }
                }
                p.setNodePort(reuse != null ? reuse : dryRun ? portMin : allocatePort(owner, proto(p)));
            } else if (!oldPorts.contains(p.getNodePort() + "-" + proto(p))) {
                if (p.getNodePort() < portMin || p.getNodePort() > portMax) {
                    releaseAll(taken);
                    throw ApiException.invalid("", "Service", svc.getMetadata().getName(), List.of(FieldError.invalid(
                            "spec.ports[" + i + "].nodePort", p.getNodePort(),
                            "provided port is not in the valid range. The range of valid ports is " + portMin + "-" + portMax)));
                }
                if (!dryRun) {
                    if (!take(PORT_PREFIX + p.getNodePort() + "-" + proto(p), owner)) {
                        releaseAll(taken);
                        throw ApiException.invalid("", "Service", svc.getMetadata().getName(), List.of(FieldError.invalid(
                                "spec.ports[" + i + "].nodePort", p.getNodePort(), "provided port is already allocated")));
                    }
                    taken.add(PORT_PREFIX + p.getNodePort() + "-" + proto(p));
                }
            }
        }
    }

    private void releaseAll(List<String> keys) {
        keys.forEach(this::release);
    }

    private static String proto(ServicePort p) {
        return p.getProtocol() == null ? "TCP" : p.getProtocol();
    }

    private String allocateIp(String owner) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        // random probing first (cheap while the range is sparse), then a scan so a full range is detected
        for (int i = 0; i < 64; i++) {
            String ip = address(2 + r.nextInt(size - 3));
            if (!reserved(ip, owner) && take(IP_PREFIX + ip, owner)) {
                return ip;
            }
        }
        for (int n = 2; n < size - 1; n++) {
            if (!reserved(address(n), owner) && take(IP_PREFIX + address(n), owner)) {
                return address(n);
            }
        }
        throw new ApiException(500, "InternalError", "failed to allocate a serviceIP: range is full");
    }

    private int allocatePort(String owner, String proto) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 64; i++) {
            int p = portMin + r.nextInt(portMax - portMin + 1);
            if (take(PORT_PREFIX + p + "-" + proto, owner)) {
                return p;
            }
        }
        for (int p = portMin; p <= portMax; p++) {
            if (take(PORT_PREFIX + p + "-" + proto, owner)) {
                return p;
            }
        }
        throw new ApiException(500, "InternalError", "failed to allocate a nodePort: range is full");
    }

}
