package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a pod spec into the runtime's sandbox and container specs, with kubelet's rules. */
final class RuntimeSpecs {
    static final long MIN_SHARES = 2;
    static final long MAX_SHARES = 262144;

    private RuntimeSpecs() {
    }

    static SandboxSpec sandbox(Pod pod, PodWorkerSettings settings) {
        PodSpec spec = pod.getSpec();
        boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
        Dns dns = dns(pod, settings);
        List<String> extraHosts = new ArrayList<>();
        for (HostAlias alias : spec.getHostAliases()) {
            for (String h : alias.getHostnames()) {
                extraHosts.add(h + ":" + alias.getIp());
            }
        }
        List<SandboxSpec.PortMapping> ports = new ArrayList<>();
        if (!hostNetwork) {
            List<Container> all = new ArrayList<>(spec.getInitContainers());
            all.addAll(spec.getContainers());
            for (Container c : all) {
                for (ContainerPort p : c.getPorts()) {
                    if (p.getHostPort() != null && p.getHostPort() > 0) {
                        ports.add(new SandboxSpec.PortMapping(p.getHostIP() == null ? "" : p.getHostIP(), p.getHostPort(),
                                p.getContainerPort(), p.getProtocol() == null ? "TCP" : p.getProtocol()));
                    }
                }
            }
        }
        Map<String, String> sysctls = new LinkedHashMap<>();
        PodSecurityContext psc = spec.getSecurityContext();
        if (psc != null) {
            for (Sysctl s : psc.getSysctls()) {
                sysctls.put(s.getName(), s.getValue());
            }
        }
        return new SandboxSpec(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                hostname(pod), hostNetwork, settings.podNetwork(), dns.servers, dns.searches, dns.options, extraHosts,
                ports, Boolean.TRUE.equals(spec.getHostIPC()), Boolean.TRUE.equals(spec.getHostPID()), sysctls, Map.of());
    }

    /** spec.hostname, else the pod's name, cut to 63 characters as kubelet does. */
    static String hostname(Pod pod) {
        String h = pod.getSpec().getHostname();
        if (h == null || h.isEmpty()) {
            h = pod.getMetadata().getName();
        }
        if (h.length() > 63) {
            h = h.substring(0, 63);
            while (h.endsWith("-") || h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
        }
        return h;
    }

    record Dns(List<String> servers, List<String> searches, List<String> options) {
    }

    static Dns dns(Pod pod, PodWorkerSettings settings) {
        PodSpec spec = pod.getSpec();
        String policy = spec.getDnsPolicy() == null || spec.getDnsPolicy().isEmpty() ? "ClusterFirst" : spec.getDnsPolicy();
        boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
        if (policy.equals("ClusterFirst") && hostNetwork) {
            policy = "Default";
        }
        if (policy.equals("ClusterFirstWithHostNet")) {
            policy = "ClusterFirst";
        }
        if (policy.equals("ClusterFirst") && settings.clusterDnsIp().isEmpty()) {
            policy = "Default";
        }
        List<String> servers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        LinkedHashMap<String, String> options = new LinkedHashMap<>();
        if (policy.equals("ClusterFirst")) {
            String domain = settings.clusterDomain();
            servers.add(settings.clusterDnsIp());
            searches.add(pod.getMetadata().getNamespace() + ".svc." + domain);
            searches.add("svc." + domain);
            searches.add(domain);
            options.put("ndots", "5");
        }
        PodDNSConfig cfg = spec.getDnsConfig();
        if (cfg != null) {
            for (String s : cfg.getNameservers()) {
                if (!servers.contains(s)) {
                    servers.add(s);
                }
            }
            for (String s : cfg.getSearches()) {
                if (!searches.contains(s)) {
                    searches.add(s);
                }
            }
            for (PodDNSConfigOption o : cfg.getOptions()) {
                options.remove(o.getName());
                options.put(o.getName(), o.getValue());
            }
        }
        List<String> opts = new ArrayList<>();
        options.forEach((k, v) -> opts.add(v == null || v.isEmpty() ? k : k + ":" + v));
        return new Dns(servers, searches, opts);
    }

    /** The container spec from the pod's container, its resolved environment and its volumes' host paths. */
    static ContainerSpec container(Pod pod, Container c, String role, int attempt, List<String> env,
                                   Map<String, String> expansion, Map<String, Path> volumes, Path terminationLog,
                                   String specHash) throws ConfigException {
        java.util.function.Function<String, String> map = ContainerEnv.mapping(expansion);
        List<String> command = c.getCommand().stream().map(s -> ContainerEnv.expand(s, map)).toList();
        List<String> args = c.getArgs().stream().map(s -> ContainerEnv.expand(s, map)).toList();
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        for (VolumeMount vm : c.getVolumeMounts()) {
            Path host = volumes.get(vm.getName());
            if (host == null) {
                throw new ConfigException("cannot find volume \"" + vm.getName() + "\" to mount into container \""
                        + c.getName() + "\"");
            }
            String sub = vm.getSubPath();
            if (vm.getSubPathExpr() != null && !vm.getSubPathExpr().isEmpty()) {
                sub = ContainerEnv.expand(vm.getSubPathExpr(), map);
            }
            if (sub != null && !sub.isEmpty()) {
                Path p = Path.of(sub);
                if (p.isAbsolute() || p.normalize().startsWith("..") || sub.contains("..")) {
                    throw new ConfigException("failed to prepare subPath for volumeMount \"" + vm.getName()
                            + "\" of container \"" + c.getName() + "\": subPath " + sub
                            + " must be a relative path without '..'");
                }
                host = host.resolve(sub);
            }
            String propagation = switch (vm.getMountPropagation() == null ? "None" : vm.getMountPropagation()) {
                case "HostToContainer" -> "rslave";
                case "Bidirectional" -> "rshared";
                default -> "rprivate";
            };
            mounts.add(new ContainerSpec.Mount(host.toString(), vm.getMountPath(), Boolean.TRUE.equals(vm.getReadOnly()),
                    propagation));
        }
        String tmp = c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()
                ? "/dev/termination-log" : c.getTerminationMessagePath();
        if (terminationLog != null && mounts.stream().noneMatch(m -> m.containerPath().equals(tmp))) {
            mounts.add(new ContainerSpec.Mount(terminationLog.toString(), tmp, false));
        }
        var res = c.getResources();
        Map<String, Quantity> limits = res == null || res.getLimits() == null ? Map.of() : res.getLimits();
        Map<String, Quantity> requests = res == null || res.getRequests() == null ? Map.of() : res.getRequests();
        long memory = limits.containsKey("memory") ? limits.get("memory").getNumericalAmount().longValue() : 0;
        long cpuLimitMillis = limits.containsKey("cpu") ? millis(limits.get("cpu")) : 0;
        Quantity cpuRequest = requests.containsKey("cpu") ? requests.get("cpu") : limits.get("cpu");
        long shares = shares(cpuRequest == null ? 0 : millis(cpuRequest));

        PodSecurityContext psc = pod.getSpec().getSecurityContext();
        SecurityContext sc = c.getSecurityContext();
        Long uid = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : psc != null ? psc.getRunAsUser() : null;
        Long gid = sc != null && sc.getRunAsGroup() != null ? sc.getRunAsGroup() : psc != null ? psc.getRunAsGroup() : null;
        String user = uid == null ? "" : gid == null ? uid.toString() : uid + ":" + gid;
        Capabilities caps = sc == null ? null : sc.getCapabilities();
        List<String> add = caps == null ? List.of() : caps.getAdd().stream().map(RuntimeSpecs::capability).toList();
        List<String> drop = caps == null ? List.of() : caps.getDrop().stream().map(RuntimeSpecs::capability).toList();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RuntimeLabels.SPEC_HASH, specHash);
        if (terminationLog != null) {
            labels.put(RuntimeLabels.TERMINATION_MESSAGE_PATH, terminationLog.toString());
        }
        return new ContainerSpec(c.getName(), role, attempt, c.getImage(), command, args, env,
                c.getWorkingDir() == null ? "" : c.getWorkingDir(), mounts, memory, cpuLimitMillis, shares, user,
                sc != null && Boolean.TRUE.equals(sc.getPrivileged()),
                sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()), add, drop,
                Boolean.TRUE.equals(c.getStdin()), Boolean.TRUE.equals(c.getStdinOnce()), Boolean.TRUE.equals(c.getTty()),
                labels, supplementalGroups(psc));
    }

    static long millis(Quantity q) {
        return q.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }

    /** Kubelet's MilliCPUToShares: millicores * 1024 / 1000, at least 2, at most 262144. */
    static long shares(long milliCpu) {
        if (milliCpu == 0) {
            return MIN_SHARES;
        }
        long shares = milliCpu * 1024 / 1000;
        return Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
    }

    /** The pod's supplementalGroups, then its fsGroup, as kubelet gives them to every container. */
    static List<Long> supplementalGroups(PodSecurityContext psc) {
        if (psc == null) return List.of();
        java.util.LinkedHashSet<Long> groups = new java.util.LinkedHashSet<>();
        if (psc.getSupplementalGroups() != null) groups.addAll(psc.getSupplementalGroups());
        if (psc.getFsGroup() != null) groups.add(psc.getFsGroup());
        return List.copyOf(groups);
    }

    private static String capability(String c) {
        return c.startsWith("CAP_") ? c.substring(4) : c;
    }
}
