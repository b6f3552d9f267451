package dev.berth.agent.runtime;

import java.util.List;
import java.util.Map;

/**
 * A pod sandbox: the infra container whose network and IPC namespaces every container of the pod
 * joins.
 *
 * @param podUid        the pod's uid
 * @param namespace     the pod's namespace
 * @param name          the pod's name
 * @param hostname      the hostname the pod's containers see (pod name, or spec.hostname)
 * @param hostNetwork   true: the node's network namespace, no pod IP of its own
 * @param network       the bridge network the sandbox joins (ignored with hostNetwork)
 * @param dnsServers    nameservers of the pod's resolv.conf; empty: the runtime's default
 * @param dnsSearches   search domains
 * @param dnsOptions    resolv.conf options (ndots:5, ...)
 * @param extraHosts    /etc/hosts entries as {@code hostname:ip}
 * @param ports         host ports published to the pod's container ports
 * @param hostIpc       share the node's IPC namespace
 * @param hostPid       share the node's PID namespace
 * @param sysctls       namespaced sysctls of spec.securityContext.sysctls
 * @param labels        labels on the infra container, beyond those the runtime adds ({@link RuntimeLabels})
 * @param domainname    the pod's domain with spec.subdomain ({@code SUBDOMAIN.NS.svc.CLUSTER-DOMAIN}), else
 *                      empty: /etc/hosts then maps the pod IP to {@code HOSTNAME.DOMAIN HOSTNAME}
 */
public record SandboxSpec(String podUid, String namespace, String name, String hostname, boolean hostNetwork,
                          String network, List<String> dnsServers, List<String> dnsSearches, List<String> dnsOptions,
                          List<String> extraHosts, List<PortMapping> ports, boolean hostIpc, boolean hostPid,
                          Map<String, String> sysctls, Map<String, String> labels, String domainname) {
    public SandboxSpec {
        domainname = domainname == null ? "" : domainname;
        dnsServers = List.copyOf(dnsServers);
        dnsSearches = List.copyOf(dnsSearches);
        dnsOptions = List.copyOf(dnsOptions);
        extraHosts = List.copyOf(extraHosts);
        ports = List.copyOf(ports);
        sysctls = Map.copyOf(sysctls);
        labels = Map.copyOf(labels);
    }

    /** A host port published to a container port; {@code hostIp} empty means every address. */
    public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    }
}
