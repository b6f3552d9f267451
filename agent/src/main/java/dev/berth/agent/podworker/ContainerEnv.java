package dev.berth.agent.podworker;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as kubelet makes it: envFrom first (with prefixes, invalid names
 * skipped), then env in order, each value with {@code $(VAR)} references to earlier variables
 * expanded ({@code $$} escapes); sources from ConfigMaps, Secrets, the pod's fields and the
 * container's resources.
 */
final class ContainerEnv {
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Pattern SUBSCRIPT = Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");

    /** The resolved variables in order, and names skipped from envFrom sources (for an event). */
    record Resolved(LinkedHashMap<String, String> vars, List<String> skipped) {
        List<String> asList() {
            List<String> out = new ArrayList<>();
            vars.forEach((k, v) -> out.add(k + "=" + v));
            return out;
        }
    }

    private ContainerEnv() {
    }

    static Resolved resolve(Pod pod, Container c, String hostIp, String podIp, Map<String, Quantity> allocatable,
                            ObjectLookup lookup) throws ConfigException {
        String ns = pod.getMetadata().getNamespace();
        LinkedHashMap<String, String> vars = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        Map<String, ConfigMap> configMaps = new TreeMap<>();
        Map<String, Secret> secrets = new TreeMap<>();
        LinkedHashMap<String, String> serviceEnv = serviceEnv(pod, lookup);
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                String name = from.getConfigMapRef().getName();
                ConfigMap cm = configMap(lookup, configMaps, ns, name);
                if (cm == null) {
                    if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                        continue;
                    }
                    throw new ConfigException("configmap \"" + name + "\" not found");
                }
                Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
                for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
                    add(vars, skipped, prefix + e.getKey(), e.getValue());
                }
            } else if (from.getSecretRef() != null) {
                String name = from.getSecretRef().getName();
                Secret s = secret(lookup, secrets, ns, name);
                if (s == null) {
                    if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                        continue;
                    }
                    throw new ConfigException("secret \"" + name + "\" not found");
                }
                for (Map.Entry<String, String> e : new TreeMap<>(secretData(s)).entrySet()) {
                    add(vars, skipped, prefix + e.getKey(), e.getValue());
                }
            }
        }
        for (EnvVar ev : c.getEnv()) {
            String value;
            EnvVarSource src = ev.getValueFrom();
            if (src == null) {
                value = expand(ev.getValue() == null ? "" : ev.getValue(), mapping(vars, serviceEnv));
            } else if (src.getConfigMapKeyRef() != null) {
                var ref = src.getConfigMapKeyRef();
                boolean optional = Boolean.TRUE.equals(ref.getOptional());
                ConfigMap cm = configMap(lookup, configMaps, ns, ref.getName());
                if (cm == null) {
                    if (optional) {
                        continue;
                    }
                    throw new ConfigException("configmap \"" + ref.getName() + "\" not found");
                }
                value = cm.getData() == null ? null : cm.getData().get(ref.getKey());
                if (value == null) {
                    if (optional) {
                        continue;
                    }
                    throw new ConfigException("couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
                }
            } else if (src.getSecretKeyRef() != null) {
                var ref = src.getSecretKeyRef();
                boolean optional = Boolean.TRUE.equals(ref.getOptional());
                Secret s = secret(lookup, secrets, ns, ref.getName());
                if (s == null) {
                    if (optional) {
                        continue;
                    }
                    throw new ConfigException("secret \"" + ref.getName() + "\" not found");
                }
                value = secretData(s).get(ref.getKey());
                if (value == null) {
                    if (optional) {
                        continue;
                    }
                    throw new ConfigException("couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
                }
            } else if (src.getFieldRef() != null) {
                value = fieldValue(pod, src.getFieldRef(), hostIp, podIp);
            } else if (src.getResourceFieldRef() != null) {
                value = resourceValue(c, src.getResourceFieldRef(), allocatable);
            } else {
                throw new ConfigException("env " + ev.getName() + ": valueFrom must name a source");
            }
            vars.remove(ev.getName());
            vars.put(ev.getName(), value);
        }
        // Service links come last and never override what the pod defines.
        serviceEnv.forEach(vars::putIfAbsent);
        return new Resolved(vars, skipped);
    }

    /**
     * Kubelet's service environment: the {@code kubernetes} Service of the default namespace
     * always, and with enableServiceLinks (the default) every Service of the pod's namespace that
     * has a cluster IP.
     */
    static LinkedHashMap<String, String> serviceEnv(Pod pod, ObjectLookup lookup) throws ConfigException {
        String ns = pod.getMetadata().getNamespace();
        boolean links = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
        Map<String, Service> chosen = new TreeMap<>();
        try {
            if (links) {
                for (Service s : lookup.services(ns)) {
                    chosen.put(s.getMetadata().getName(), s);
                }
            }
            if (!links || !ns.equals("default")) {
                for (Service s : lookup.services("default")) {
                    if (s.getMetadata().getName().equals("kubernetes")) {
                        chosen.putIfAbsent("kubernetes", s);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new ConfigException(e.getMessage());
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Service s : chosen.values()) {
            String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
            if (ip == null || ip.isEmpty() || ip.equals("None") || s.getSpec().getPorts().isEmpty()) {
                continue;
            }
            String prefix = s.getMetadata().getName().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            List<ServicePort> ports = s.getSpec().getPorts();
            out.put(prefix + "_SERVICE_HOST", ip);
            out.put(prefix + "_SERVICE_PORT", Integer.toString(ports.get(0).getPort()));
            for (ServicePort p : ports) {
                if (p.getName() != null && !p.getName().isEmpty()) {
                    out.put(prefix + "_SERVICE_PORT_" + p.getName().toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
                            Integer.toString(p.getPort()));
                }
            }
            for (int i = 0; i < ports.size(); i++) {
                ServicePort p = ports.get(i);
                String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                String lower = protocol.toLowerCase(java.util.Locale.ROOT);
                String hostPort = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + p.getPort();
                if (i == 0) {
                    out.put(prefix + "_PORT", lower + "://" + hostPort);
                }
                String portPrefix = prefix + "_PORT_" + p.getPort() + "_" + protocol.toUpperCase(java.util.Locale.ROOT);
                out.put(portPrefix, lower + "://" + hostPort);
                out.put(portPrefix + "_PROTO", lower);
                out.put(portPrefix + "_PORT", Integer.toString(p.getPort()));
                out.put(portPrefix + "_ADDR", ip);
            }
        }
        return out;
    }

    private static void add(Map<String, String> vars, List<String> skipped, String name, String value) {
        if (!ENV_NAME.matcher(name).matches()) {
            skipped.add(name);
            return;
        }
        vars.remove(name);
        vars.put(name, value);
    }

    private static ConfigMap configMap(ObjectLookup lookup, Map<String, ConfigMap> cache, String ns, String name)
            throws ConfigException {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        try {
            ConfigMap cm = lookup.configMap(ns, name);
            cache.put(name, cm);
            return cm;
        } catch (RuntimeException e) {
            throw new ConfigException("failed to read configmap \"" + name + "\": " + e.getMessage());
        }
    }

    private static Secret secret(ObjectLookup lookup, Map<String, Secret> cache, String ns, String name)
            throws ConfigException {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        try {
            Secret s = lookup.secret(ns, name);
            cache.put(name, s);
            return s;
        } catch (RuntimeException e) {
            throw new ConfigException("failed to read secret \"" + name + "\": " + e.getMessage());
        }
    }

    static Map<String, String> secretData(Secret s) {
        Map<String, String> out = new TreeMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v == null ? "" : v),
                    StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }

    static String fieldValue(Pod pod, ObjectFieldSelector ref, String hostIp, String podIp) throws ConfigException {
        String path = ref.getFieldPath() == null ? "" : ref.getFieldPath();
        var meta = pod.getMetadata();
        Matcher m = SUBSCRIPT.matcher(path);
        if (m.matches()) {
            Map<String, String> map = "labels".equals(m.group(1)) ? meta.getLabels() : meta.getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "spec.nodeName" -> nz(pod.getSpec().getNodeName());
            case "spec.serviceAccountName" -> nz(pod.getSpec().getServiceAccountName());
            case "status.hostIP", "status.hostIPs" -> hostIp;
            case "status.podIP", "status.podIPs" -> podIp;
            default -> throw new ConfigException("unsupported fieldPath: " + path);
        };
    }

    static String resourceValue(Container c, ResourceFieldSelector ref, Map<String, Quantity> allocatable)
            throws ConfigException {
        String resource = ref.getResource() == null ? "" : ref.getResource();
        String[] parts = resource.split("\\.", 2);
        if (parts.length != 2 || !(parts[0].equals("limits") || parts[0].equals("requests"))
                || !List.of("cpu", "memory", "ephemeral-storage").contains(parts[1])) {
            throw new ConfigException("unsupported container resource: " + resource);
        }
        var res = c.getResources();
        Map<String, Quantity> limits = res == null || res.getLimits() == null ? Map.of() : res.getLimits();
        Map<String, Quantity> requests = res == null || res.getRequests() == null ? Map.of() : res.getRequests();
        Quantity q;
        if (parts[0].equals("limits")) {
            q = limits.containsKey(parts[1]) ? limits.get(parts[1]) : allocatable.get(parts[1]);
        } else {
            q = requests.containsKey(parts[1]) ? requests.get(parts[1]) : limits.get(parts[1]);
        }
        BigDecimal value = q == null ? BigDecimal.ZERO : q.getNumericalAmount();
        BigDecimal divisor = ref.getDivisor() == null ? BigDecimal.ONE : ref.getDivisor().getNumericalAmount();
        if (divisor.signum() <= 0) {
            throw new ConfigException("resourceFieldRef " + resource + ": divisor " + ref.getDivisor() + " must be positive");
        }
        BigDecimal result = value.divide(divisor, 0, RoundingMode.CEILING);
        if (parts[1].equals("cpu") && result.signum() == 0 && value.signum() > 0) {
            result = BigDecimal.ONE;
        }
        return result.toPlainString();
    }

    /** Kubernetes' $(VAR) expansion: defined names are replaced, undefined ones left as written, $$ is a literal $. */
    static String expand(String input, Function<String, String> mapping) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < input.length()) {
            char ch = input.charAt(i);
            if (ch == '$' && i + 1 < input.length()) {
                char next = input.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i += 2;
                } else if (next == '(') {
                    int close = input.indexOf(')', i + 2);
                    if (close < 0) {
                        out.append(input, i, input.length());
                        i = input.length();
                    } else {
                        out.append(mapping.apply(input.substring(i + 2, close)));
                        i = close + 1;
                    }
                } else {
                    out.append(ch).append(next);
                    i += 2;
                }
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    static Function<String, String> mapping(Map<String, String> vars) {
        return name -> vars.containsKey(name) ? vars.get(name) : "$(" + name + ")";
    }

    static Function<String, String> mapping(Map<String, String> vars, Map<String, String> services) {
        return name -> vars.containsKey(name) ? vars.get(name)
                : services.containsKey(name) ? services.get(name) : "$(" + name + ")";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
