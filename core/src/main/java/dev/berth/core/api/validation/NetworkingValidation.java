package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** Ingress, NetworkPolicy, EndpointSlice. */
final class NetworkingValidation {
    private NetworkingValidation() {}

    static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");

    static void ingress(List<FieldError> errs, Ingress ing) {
        var spec = ing.getSpec();
        if (spec == null || (spec.getDefaultBackend() == null && list(spec.getRules()).isEmpty())) {
            errs.add(FieldError.invalid("spec", "", "either `defaultBackend` or `rules` must be specified"));
            if (spec == null) return;
        }
        if (spec.getDefaultBackend() != null) backend(errs, spec.getDefaultBackend(), "spec.defaultBackend");
        if (!isEmpty(spec.getIngressClassName())) {
            Check.each(errs, "spec.ingressClassName", spec.getIngressClassName(), Names.dns1123Subdomain(spec.getIngressClassName()));
        }
        var rules = list(spec.getRules());
        for (int i = 0; i < rules.size(); i++) {
            var rule = rules.get(i);
            String p = "spec.rules[" + i + "]";
            if (!isEmpty(rule.getHost())) host(errs, rule.getHost(), p + ".host");
            if (rule.getHttp() == null) continue;
            var paths = list(rule.getHttp().getPaths());
            if (paths.isEmpty()) errs.add(FieldError.required(p + ".http.paths", ""));
            for (int j = 0; j < paths.size(); j++) {
                var path = paths.get(j);
                String pp = p + ".http.paths[" + j + "]";
                if (isEmpty(path.getPathType())) {
                    errs.add(FieldError.required(pp + ".pathType", "pathType must be specified"));
                } else if (!PATH_TYPES.contains(path.getPathType())) {
                    errs.add(FieldError.notSupported(pp + ".pathType", path.getPathType(), PATH_TYPES));
                } else if (!"ImplementationSpecific".equals(path.getPathType()) || !isEmpty(path.getPath())) {
                    String value = path.getPath() == null ? "" : path.getPath();
                    if (!value.startsWith("/")) {
                        errs.add(FieldError.invalid(pp + ".path", value, "must be an absolute path"));
                    } else if (!"ImplementationSpecific".equals(path.getPathType())) {
                        for (String bad : List.of("//", "/./", "/../", "%2f", "%2F")) {
                            if (value.contains(bad)) errs.add(FieldError.invalid(pp + ".path", value, "must not contain '" + bad + "'"));
                        }
                        for (String suffix : List.of("/..", "/.")) {
                            if (value.endsWith(suffix)) errs.add(FieldError.invalid(pp + ".path", value, "cannot end with '" + suffix + "'"));
                        }
                    }
                }
                if (path.getBackend() == null) errs.add(FieldError.required(pp + ".backend", ""));
                else backend(errs, path.getBackend(), pp + ".backend");
            }
        }
        var tls = list(spec.getTls());
        for (int i = 0; i < tls.size(); i++) {
            var hosts = list(tls.get(i).getHosts());
            for (int j = 0; j < hosts.size(); j++) host(errs, hosts.get(j), "spec.tls[" + i + "].hosts[" + j + "]");
        }
    }

    private static void host(List<FieldError> errs, String host, String path) {
        if (Net.isIP(host)) {
            errs.add(FieldError.invalid(path, host, "must be a DNS name, not an IP address"));
            return;
        }
        if (host.startsWith("*.")) {
            List<String> msgs = Names.dns1123Subdomain(host.substring(2));
            if (!msgs.isEmpty()) {
                errs.add(FieldError.invalid(path, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                        + "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                        + "alphanumeric character (e.g. '*.example.com', regex used for validation is "
                        + "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
            }
        } else {
            Check.each(errs, path, host, Names.dns1123Subdomain(host));
        }
    }

    private static void backend(List<FieldError> errs, IngressBackend b, String p) {
        if (b.getService() != null && b.getResource() != null) {
            errs.add(FieldError.invalid(p, "", "cannot set both resource and service backends"));
            return;
        }
        if (b.getService() == null && b.getResource() == null) {
            errs.add(FieldError.invalid(p, "", "one of `service` or `resource` must be specified"));
            return;
        }
        if (b.getService() != null) {
            var s = b.getService();
            if (isEmpty(s.getName())) errs.add(FieldError.required(p + ".service.name", ""));
            else Check.each(errs, p + ".service.name", s.getName(), Names.dns1035Label(s.getName()));
            var port = s.getPort();
            boolean hasName = port != null && !isEmpty(port.getName());
            boolean hasNumber = port != null && port.getNumber() != null && port.getNumber() != 0;
            if (hasName && hasNumber) {
                errs.add(FieldError.invalid(p + ".service.port", "", "cannot set both port name & port number"));
            } else if (hasName) {
                Check.each(errs, p + ".service.port.name", port.getName(), Names.portName(port.getName()));
            } else if (hasNumber) {
                Check.each(errs, p + ".service.port.number", String.valueOf(port.getNumber()), Names.portNumber(port.getNumber()));
            } else {
                errs.add(FieldError.required(p + ".service.port", "port name or number is required"));
            }
        } else {
            var r = b.getResource();
            if (isEmpty(r.getKind())) errs.add(FieldError.required(p + ".resource.kind", ""));
            if (isEmpty(r.getName())) errs.add(FieldError.required(p + ".resource.name", ""));
        }
    }

    static void networkPolicy(List<FieldError> errs, NetworkPolicy np) {
        var spec = np.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        errs.addAll(LabelSelector.validate(spec.getPodSelector(), "spec.podSelector"));
        var ingress = list(spec.getIngress());
        for (int i = 0; i < ingress.size(); i++) {
            String p = "spec.ingress[" + i + "]";
            ports(errs, list(ingress.get(i).getPorts()), p + ".ports");
            peers(errs, list(ingress.get(i).getFrom()), p + ".from");
        }
        var egress = list(spec.getEgress());
        for (int i = 0; i < egress.size(); i++) {
            String p = "spec.egress[" + i + "]";
            ports(errs, list(egress.get(i).getPorts()), p + ".ports");
            peers(errs, list(egress.get(i).getTo()), p + ".to");
        }
        var types = list(spec.getPolicyTypes());
        for (int i = 0; i < types.size(); i++) {
            if (!List.of("Ingress", "Egress").contains(types.get(i))) {
                errs.add(FieldError.notSupported("spec.policyTypes[" + i + "]", types.get(i), List.of("Egress", "Ingress")));
            }
        }
        if (types.size() > 2) {
            errs.add(FieldError.invalid("spec.policyTypes", Check.render(types), "may not specify more than two policyTypes"));
        }
    }

    private static void ports(List<FieldError> errs, List<NetworkPolicyPort> ports, String path) {
        for (int i = 0; i < ports.size(); i++) {
            NetworkPolicyPort port = ports.get(i);
            String p = path + "[" + i + "]";
            Check.oneOfIfSet(errs, p + ".protocol", port.getProtocol(), PodValidation.PROTOCOLS);
            IntOrString number = port.getPort();
            if (number != null) {
                if (number.getIntVal() != null) {
                    Check.each(errs, p + ".port", String.valueOf(number.getIntVal()), Names.portNumber(number.getIntVal()));
                } else {
                    Check.each(errs, p + ".port", number.getStrVal(), Names.portName(number.getStrVal() == null ? "" : number.getStrVal()));
                }
            }
            if (port.getEndPort() != null) {
                if (number == null) {
                    errs.add(FieldError.required(p + ".port", "must be specified when endPort is specified"));
                } else if (number.getIntVal() == null) {
                    errs.add(FieldError.forbidden(p + ".endPort", "may not be specified when `port` is non-numeric"));
                } else if (port.getEndPort() < number.getIntVal()) {
                    errs.add(FieldError.invalid(p + ".endPort", port.getEndPort(), "must be greater than or equal to `port`"));
                } else {
                    Check.each(errs, p + ".endPort", String.valueOf(port.getEndPort()), Names.portNumber(port.getEndPort()));
                }
            }
        }
    }

    private static void peers(List<FieldError> errs, List<NetworkPolicyPeer> peers, String path) {
        for (int i = 0; i < peers.size(); i++) {
            NetworkPolicyPeer peer = peers.get(i);
            String p = path + "[" + i + "]";
            int selectors = (peer.getPodSelector() != null ? 1 : 0) + (peer.getNamespaceSelector() != null ? 1 : 0);
            if (peer.getIpBlock() != null && selectors > 0) {
                errs.add(FieldError.forbidden(p, "may not specify both ipBlock and another peer"));
            } else if (peer.getIpBlock() == null && selectors == 0) {
                errs.add(FieldError.required(p, "must specify a peer"));
            }
            errs.addAll(LabelSelector.validate(peer.getPodSelector(), p + ".podSelector"));
            errs.addAll(LabelSelector.validate(peer.getNamespaceSelector(), p + ".namespaceSelector"));
            if (peer.getIpBlock() != null) {
                String cidr = peer.getIpBlock().getCidr();
                if (isEmpty(cidr)) {
                    errs.add(FieldError.required(p + ".ipBlock.cidr", ""));
                } else if (!Net.isCIDR(cidr)) {
                    errs.add(FieldError.invalid(p + ".ipBlock.cidr", cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
                }
                var except = list(peer.getIpBlock().getExcept());
                for (int j = 0; j < except.size(); j++) {
                    if (!Net.isCIDR(except.get(j))) {
                        errs.add(FieldError.invalid(p + ".ipBlock.except[" + j + "]", except.get(j),
                                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
                    }
                }
            }
        }
    }

    static void endpointSlice(List<FieldError> errs, EndpointSlice slice) {
        String type = slice.getAddressType();
        Check.oneOf(errs, "addressType", type, List.of("FQDN", "IPv4", "IPv6"));
        var endpoints = list(slice.getEndpoints());
        if (endpoints.size() > 1000) errs.add(FieldError.tooMany("endpoints", endpoints.size(), 1000));
        for (int i = 0; i < endpoints.size(); i++) {
            var ep = endpoints.get(i);
            String p = "endpoints[" + i + "]";
            var addresses = list(ep.getAddresses());
            if (addresses.isEmpty()) errs.add(FieldError.required(p + ".addresses", "must contain at least 1 address"));
            if (addresses.size() > 100) errs.add(FieldError.tooMany(p + ".addresses", addresses.size(), 100));
            for (int j = 0; j < addresses.size(); j++) {
                String a = addresses.get(j);
                String ap = p + ".addresses[" + j + "]";
                if ("IPv4".equals(type) && !Net.isIPv4(a)) errs.add(FieldError.invalid(ap, a, "must be a valid IPv4 address"));
                if ("IPv6".equals(type) && !Net.isIPv6(a)) errs.add(FieldError.invalid(ap, a, "must be a valid IPv6 address"));
                if ("FQDN".equals(type)) Check.each(errs, ap, a, Names.dns1123Subdomain(a));
            }
            if (!isEmpty(ep.getHostname())) Check.each(errs, p + ".hostname", ep.getHostname(), Names.dns1123Label(ep.getHostname()));
            if (!isEmpty(ep.getNodeName())) Check.each(errs, p + ".nodeName", ep.getNodeName(), Names.dns1123Subdomain(ep.getNodeName()));
        }
        var ports = list(slice.getPorts());
        if (ports.size() > 100) errs.add(FieldError.tooMany("ports", ports.size(), 100));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            var port = ports.get(i);
            String p = "ports[" + i + "]";
            String name = port.getName() == null ? "" : port.getName();
            if (!name.isEmpty()) Check.each(errs, p + ".name", name, Names.dns1123Label(name));
            if (!names.add(name)) errs.add(FieldError.duplicate(p + ".name", name));
            Check.oneOf(errs, p + ".protocol", port.getProtocol(), PodValidation.PROTOCOLS);
            if (port.getPort() != null) Check.each(errs, p + ".port", String.valueOf(port.getPort()), Names.portNumber(port.getPort()));
        }
    }
}
