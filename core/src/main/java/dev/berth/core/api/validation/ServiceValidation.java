package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** ValidateService and ValidateServiceUpdate. */
final class ServiceValidation {
    private ServiceValidation() {}

    static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");

    static void service(List<FieldError> errs, Service svc, int nodePortMin, int nodePortMax) {
        ServiceSpec spec = svc.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        String type = spec.getType();
        Check.oneOf(errs, "spec.type", type, TYPES);
        boolean headless = "None".equals(spec.getClusterIP());
        boolean externalName = "ExternalName".equals(type);
        List<ServicePort> ports = list(spec.getPorts());
        if (ports.isEmpty() && !headless && !externalName) errs.add(FieldError.required("spec.ports", ""));

        if (externalName) {
            if (!list(spec.getClusterIPs()).isEmpty() || !isEmpty(spec.getClusterIP())) {
                errs.add(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }
            if (isEmpty(spec.getExternalName())) {
                errs.add(FieldError.required("spec.externalName", ""));
            } else {
                String clean = spec.getExternalName().endsWith(".")
                        ? spec.getExternalName().substring(0, spec.getExternalName().length() - 1) : spec.getExternalName();
                Check.each(errs, "spec.externalName", spec.getExternalName(), Names.dns1123Subdomain(clean));
            }
            if (spec.getIpFamilyPolicy() != null) {
                errs.add(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            }
            if (!list(spec.getIpFamilies()).isEmpty()) {
                errs.add(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }
        } else {
            clusterIPs(errs, spec, type);
        }

        Set<String> names = new HashSet<>();
        Set<String> portKeys = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String p = "spec.ports[" + i + "]";
            if (isEmpty(port.getName())) {
                if (ports.size() > 1) errs.add(FieldError.required(p + ".name", ""));
            } else {
                Check.each(errs, p + ".name", port.getName(), Names.dns1123Label(port.getName()));
                if (!names.add(port.getName())) errs.add(FieldError.duplicate(p + ".name", port.getName()));
            }
            int number = port.getPort() == null ? 0 : port.getPort();
            Check.each(errs, p + ".port", String.valueOf(number), Names.portNumber(number));
            Check.oneOf(errs, p + ".protocol", port.getProtocol(), PodValidation.PROTOCOLS);
            if (!portKeys.add(number + "/" + port.getProtocol())) {
                errs.add(FieldError.duplicate(p, "{" + port.getProtocol() + " " + number + "}"));
            }
            if (!externalName) Check.portNumOrName(errs, p + ".targetPort", port.getTargetPort());
            if (!isEmpty(port.getAppProtocol())) {
                Check.each(errs, p + ".appProtocol", port.getAppProtocol(), Names.qualifiedName(port.getAppProtocol()));
            }
            Integer nodePort = port.getNodePort();
            if (nodePort != null && nodePort != 0) {
                if ("ClusterIP".equals(type) || externalName) {
                    errs.add(FieldError.forbidden(p + ".nodePort", "may not be used when `type` is '" + type + "'"));
                } else if (nodePort < nodePortMin || nodePort > nodePortMax) {
                    errs.add(FieldError.invalid(p + ".nodePort", nodePort,
                            "provided port is not in the valid range. The range of valid ports is " + nodePortMin + "-" + nodePortMax));
                }
            }
        }

        errs.addAll(Labels.validate(spec.getSelector(), "spec.selector"));
        Check.oneOf(errs, "spec.sessionAffinity", spec.getSessionAffinity(), List.of("ClientIP", "None"));
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            Integer timeout = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            if (timeout == null || timeout <= 0 || timeout > 86400) {
                errs.add(FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                        "must be greater than 0 and less than 86400"));
            }
        } else if ("None".equals(spec.getSessionAffinity()) && spec.getSessionAffinityConfig() != null) {
            errs.add(FieldError.invalid("spec.sessionAffinityConfig", Check.render(spec.getSessionAffinityConfig()),
                    "must not be set when session affinity is None"));
        }
        boolean external = "NodePort".equals(type) || "LoadBalancer".equals(type);
        if (external) {
            Check.oneOf(errs, "spec.externalTrafficPolicy", spec.getExternalTrafficPolicy(), List.of("Cluster", "Local"));
        } else if (!isEmpty(spec.getExternalTrafficPolicy())) {
            errs.add(FieldError.invalid("spec.externalTrafficPolicy", spec.getExternalTrafficPolicy(),
                    "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
        }
        if (!externalName) {
            Check.oneOf(errs, "spec.internalTrafficPolicy", spec.getInternalTrafficPolicy(), List.of("Cluster", "Local"));
        }
        if (spec.getHealthCheckNodePort() != null && spec.getHealthCheckNodePort() != 0
                && !("LoadBalancer".equals(type) && "Local".equals(spec.getExternalTrafficPolicy()))) {
            errs.add(FieldError.invalid("spec.healthCheckNodePort", spec.getHealthCheckNodePort(),
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
        }
        List<String> externalIPs = list(spec.getExternalIPs());
        for (int i = 0; i < externalIPs.size(); i++) {
            if (!Net.isIP(externalIPs.get(i))) {
                errs.add(FieldError.invalid("spec.externalIPs[" + i + "]", externalIPs.get(i), "must be a valid IP address"));
            }
        }
        List<String> ranges = list(spec.getLoadBalancerSourceRanges());
        for (int i = 0; i < ranges.size(); i++) {
            if (!Net.isCIDR(ranges.get(i).strip())) {
                errs.add(FieldError.invalid("spec.loadBalancerSourceRanges[" + i + "]", ranges.get(i),
                        "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24"));
            }
        }
        if (!"LoadBalancer".equals(type) && spec.getAllocateLoadBalancerNodePorts() != null) {
            errs.add(FieldError.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }
        if (!"LoadBalancer".equals(type) && !isEmpty(spec.getLoadBalancerClass())) {
            errs.add(FieldError.forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
        }
    }

    private static void clusterIPs(List<FieldError> errs, ServiceSpec spec, String type) {
        List<String> ips = list(spec.getClusterIPs());
        String clusterIP = spec.getClusterIP();
        if (!isEmpty(clusterIP) && !ips.isEmpty() && !clusterIP.equals(ips.getFirst())) {
            errs.add(FieldError.invalid("spec.clusterIPs", Check.render(ips), "element [0]: must match `clusterIP`"));
        }
        List<String> all = ips.isEmpty() && !isEmpty(clusterIP) ? List.of(clusterIP) : ips;
        for (int i = 0; i < all.size(); i++) {
            String ip = all.get(i);
            if (isEmpty(ip)) continue;
            if ("None".equals(ip)) {
                if (i > 0 || all.size() > 1) {
                    errs.add(FieldError.invalid("spec.clusterIPs", Check.render(all), "'None' must be the first and only value"));
                } else if ("LoadBalancer".equals(type) || "NodePort".equals(type)) {
                    errs.add(FieldError.invalid("spec.clusterIPs[0]", ip, "may not be set to 'None' for " + type + " services"));
                }
            } else if (!Net.isIP(ip)) {
                errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ip, "must be empty, 'None', or a valid IP address"));
            }
        }
        Check.oneOfIfSet(errs, "spec.ipFamilyPolicy", spec.getIpFamilyPolicy(),
                List.of("PreferDualStack", "RequireDualStack", "SingleStack"));
        List<String> families = list(spec.getIpFamilies());
        if (families.size() > 2) errs.add(FieldError.invalid("spec.ipFamilies", Check.render(families), "may specify no more than two IP families"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < families.size(); i++) {
            String f = families.get(i);
            if (!List.of("IPv4", "IPv6").contains(f)) {
                errs.add(FieldError.notSupported("spec.ipFamilies[" + i + "]", f, List.of("IPv4", "IPv6")));
            } else if (!seen.add(f)) {
                errs.add(FieldError.duplicate("spec.ipFamilies[" + i + "]", f));
            }
        }
        if ("SingleStack".equals(spec.getIpFamilyPolicy()) && families.size() > 1) {
            errs.add(FieldError.invalid("spec.ipFamilies", Check.render(families), "when spec.ipFamilyPolicy is SingleStack, only one family may be specified"));
        }
    }

    static void update(List<FieldError> errs, Service svc, Service old) {
        ServiceSpec spec = svc.getSpec();
        ServiceSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        boolean toOrFromExternalName = "ExternalName".equals(spec.getType()) || "ExternalName".equals(oldSpec.getType());
        if (toOrFromExternalName) return;
        String oldIP = primary(oldSpec);
        String newIP = primary(spec);
        if (!isEmpty(oldIP) && !Objects.equals(oldIP, newIP)) {
            List<String> ips = !list(spec.getClusterIPs()).isEmpty() ? spec.getClusterIPs()
                    : isEmpty(spec.getClusterIP()) ? List.of() : List.of(spec.getClusterIP());
            errs.add(FieldError.invalid("spec.clusterIPs[0]", Check.render(ips), "may not change once set"));
        }
        List<String> oldFamilies = list(oldSpec.getIpFamilies());
        List<String> newFamilies = list(spec.getIpFamilies());
        if (!oldFamilies.isEmpty() && !newFamilies.isEmpty() && !oldFamilies.getFirst().equals(newFamilies.getFirst())) {
            errs.add(FieldError.invalid("spec.ipFamilies[0]", newFamilies.getFirst(), "may not change once set"));
        }
    }

    private static String primary(ServiceSpec spec) {
        if (!list(spec.getClusterIPs()).isEmpty()) return spec.getClusterIPs().getFirst();
        return isEmpty(spec.getClusterIP()) ? null : spec.getClusterIP();
    }
}
