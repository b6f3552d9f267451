package dev.berth.agent.identity;

import dev.berth.core.api.labels.Names;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Kubeconfig;

import java.time.Duration;
import java.util.List;

/**
 * A node's client identity: a certificate signed by the cluster CA with CN {@code system:node:NAME}
 * and O {@code system:nodes}, as the Kubernetes Node authorizer expects, in a kubeconfig the agent
 * reads with {@code --kubeconfig}. Never the admin identity.
 */
public final class NodeCredentials {
    public static final String USER_PREFIX = "system:node:";
    public static final String GROUP = "system:nodes";
    /** How long a node's client certificate is valid. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    public static final String CLUSTER_NAME = "berth";

    private NodeCredentials() {
    }

    /** {@code system:node:NAME}. */
    public static String userName(String nodeName) {
        return USER_PREFIX + nodeName;
    }

    /**
     * Checks a node name: a lowercase RFC 1123 subdomain, as Kubernetes requires of Node names.
     *
     * @throws IllegalArgumentException naming the value and the rule
     */
    public static String requireValidNodeName(String nodeName) {
        if (nodeName == null || nodeName.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        List<String> problems = Names.dns1123Subdomain(nodeName);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("node name \"" + nodeName + "\" is invalid: " + String.join("; ", problems));
        }
        return nodeName;
    }

    /** A kubeconfig for {@code server} authenticating as node {@code nodeName}, with a new key. */
    public static Kubeconfig issue(ClusterCa ca, String server, String nodeName, Duration validity) {
        requireValidNodeName(nodeName);
        CertifiedKey key = ca.issueClient(userName(nodeName), List.of(GROUP), validity);
        return Kubeconfig.withClientCertificate(CLUSTER_NAME, server, ca.certificate(), userName(nodeName), key);
    }
}
