package dev.berth.core.apiserver.admission.podsecurity;

import java.util.Set;

/**
 * The PodSecurity admission plugin's configuration, as kube-apiserver's
 * {@code PodSecurityConfiguration}: the policy of namespaces without labels, and the requests
 * never checked.
 *
 * @param enforce              the enforce policy of a namespace without the enforce label
 * @param audit                likewise for audit
 * @param warn                 likewise for warn
 * @param exemptUsernames      requests by these users are not checked
 * @param exemptNamespaces     pods in these namespaces are not checked
 * @param exemptRuntimeClasses pods with these runtimeClassName are not checked
 */
public record PodSecurityConfig(LevelVersion enforce, LevelVersion audit, LevelVersion warn, Set<String> exemptUsernames,
                                Set<String> exemptNamespaces, Set<String> exemptRuntimeClasses) {
    public PodSecurityConfig {
        exemptUsernames = Set.copyOf(exemptUsernames);
        exemptNamespaces = Set.copyOf(exemptNamespaces);
        exemptRuntimeClasses = Set.copyOf(exemptRuntimeClasses);
    }

    /** Kubernetes' default: every mode privileged:latest, no exemptions. */
    public static PodSecurityConfig defaults() {
        return new PodSecurityConfig(LevelVersion.PRIVILEGED_LATEST, LevelVersion.PRIVILEGED_LATEST,
                LevelVersion.PRIVILEGED_LATEST, Set.of(), Set.of(), Set.of());
    }
}
