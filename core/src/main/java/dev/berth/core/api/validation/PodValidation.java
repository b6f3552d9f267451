package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** ValidatePodSpec and friends: containers, volumes, probes, env, resources, scheduling constraints. */
final class PodValidation {
    private PodValidation() {}

    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    static final List<String> TERMINATION_MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
    static final List<String> FIELD_REF_PATHS = List.of("metadata.annotations", "metadata.labels", "metadata.name",
            "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
            "status.hostIPs", "status.podIP", "status.podIPs");
    static final List<String> TAINT_EFFECTS = List.of("NoExecute", "NoSchedule", "PreferNoSchedule");
    static final List<String> HOST_PATH_TYPES = List.of("", "BlockDevice", "CharDevice", "Directory",
            "DirectoryOrCreate", "File", "FileOrCreate", "Socket");

    static void template(List<FieldError> errs, PodTemplateSpec template, String path) {
        if (template == null) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        if (template.getMetadata() != null) {
            errs.addAll(Labels.validate(template.getMetadata().getLabels(), path + ".metadata.labels"));
            errs.addAll(Labels.validateAnnotations(template.getMetadata().getAnnotations(), path + ".metadata.annotations"));
        }
        if (template.getSpec() == null) {
            errs.add(FieldError.required(path + ".spec", ""));
            return;
        }
        spec(errs, template.getSpec(), path + ".spec");
    }

    static void spec(List<FieldError> errs, PodSpec spec, String path) {
        Set<String> volumeNames = volumes(errs, list(spec.getVolumes()), path + ".volumes");
        Set<String> names = new HashSet<>();
        List<Container> init = list(spec.getInitContainers());
        for (int i = 0; i < init.size(); i++) {
            container(errs, init.get(i), path + ".initContainers[" + i + "]", volumeNames, names, true);
        }
        List<Container> containers = list(spec.getContainers());
        if (containers.isEmpty()) errs.add(FieldError.required(path + ".containers", ""));
        for (int i = 0; i < containers.size(); i++) {
            container(errs, containers.get(i), path + ".containers[" + i + "]", volumeNames, names, false);
        }
        hostPorts(errs, spec, path);
        Check.oneOf(errs, path + ".restartPolicy", spec.getRestartPolicy(), RESTART_POLICIES);
        Check.oneOf(errs, path + ".dnsPolicy", spec.getDnsPolicy(), DNS_POLICIES);
        if ("None".equals(spec.getDnsPolicy()) && spec.getDnsConfig() == null) {
            errs.add(FieldError.required(path + ".dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"));
        }
        errs.addAll(Labels.validate(spec.getNodeSelector(), path + ".nodeSelector"));
        if (!isEmpty(spec.getServiceAccountName())) {
            Check.each(errs, path + ".serviceAccountName", spec.getServiceAccountName(),
                    Names.dns1123Subdomain(spec.getServiceAccountName()));
        }
        if (!isEmpty(spec.getNodeName())) {
            Check.each(errs, path + ".nodeName", spec.getNodeName(), Names.dns1123Subdomain(spec.getNodeName()));
        }
        if (spec.getActiveDeadlineSeconds() != null
                && (spec.getActiveDeadlineSeconds() < 1 || spec.getActiveDeadlineSeconds() > Integer.MAX_VALUE)) {
            errs.add(FieldError.invalid(path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds(),
                    Names.inclusiveRangeError(1, Integer.MAX_VALUE)));
        }
        if (!isEmpty(spec.getHostname())) {
            Check.each(errs, path + ".hostname", spec.getHostname(), Names.dns1123Label(spec.getHostname()));
        }
        if (!isEmpty(spec.getSubdomain())) {
            Check.each(errs, path + ".subdomain", spec.getSubdomain(), Names.dns1123Label(spec.getSubdomain()));
        }
        if (!isEmpty(spec.getPriorityClassName())) {
            Check.each(errs, path + ".priorityClassName", spec.getPriorityClassName(),
                    Names.dns1123Subdomain(spec.getPriorityClassName()));
        }
        tolerations(errs, list(spec.getTolerations()), path + ".tolerations");
        affinity(errs, spec.getAffinity(), path + ".affinity");
        topologySpread(errs, list(spec.getTopologySpreadConstraints()), path + ".topologySpreadConstraints");
        for (int i = 0; i < list(spec.getImagePullSecrets()).size(); i++) {
            if (isEmpty(spec.getImagePullSecrets().get(i).getName())) {
                errs.add(FieldError.required(path + ".imagePullSecrets[" + i + "].name", ""));
            }
        }
        if (spec.getSecurityContext() != null) {
            var sc = spec.getSecurityContext();
            Check.nonNegative(errs, path + ".securityContext.runAsUser", sc.getRunAsUser());
            Check.nonNegative(errs, path + ".securityContext.runAsGroup", sc.getRunAsGroup());
            Check.nonNegative(errs, path + ".securityContext.fsGroup", sc.getFsGroup());
            for (int i = 0; i < list(sc.getSupplementalGroups()).size(); i++) {
                Check.nonNegative(errs, path + ".securityContext.supplementalGroups[" + i + "]", sc.getSupplementalGroups().get(i));
            }
            if (sc.getSeccompProfile() != null) seccomp(errs, sc.getSeccompProfile(), path + ".securityContext.seccompProfile");
            for (int i = 0; i < list(sc.getSysctls()).size(); i++) {
                if (isEmpty(sc.getSysctls().get(i).getName())) {
                    errs.add(FieldError.required(path + ".securityContext.sysctls[" + i + "].name", ""));
                }
            }
        }
        if (Boolean.TRUE.equals(spec.getShareProcessNamespace()) && spec.getSecurityContext() != null
                && Boolean.TRUE.equals(spec.getHostPID())) {
            errs.add(FieldError.invalid(path + ".shareProcessNamespace", true, "ShareProcessNamespace and HostPID cannot both be enabled"));
        }
    }

    /** No two containers of a pod may claim the same host port and protocol. */
    private static void hostPorts(List<FieldError> errs, PodSpec spec, String path) {
        Set<String> seen = new HashSet<>();
        for (String group : List.of("initContainers", "containers")) {
            List<Container> cs = list(group.equals("containers") ? spec.getContainers() : spec.getInitContainers());
            for (int i = 0; i < cs.size(); i++) {
                List<ContainerPort> ports = list(cs.get(i).getPorts());
                for (int j = 0; j < ports.size(); j++) {
                    ContainerPort p = ports.get(j);
                    if (p.getHostPort() == null || p.getHostPort() == 0) continue;
                    String key = p.getHostPort() + "/" + p.getProtocol()
                            + (isEmpty(p.getHostIP()) ? "" : "/" + p.getHostIP());
                    if (!seen.add(key)) {
                        errs.add(FieldError.duplicate(path + "." + group + "[" + i + "].ports[" + j + "].hostPort",
                                p.getHostPort() + "/" + p.getProtocol()));
                    }
                }
            }
        }
    }

    private static void seccomp(List<FieldError> errs, io.fabric8.kubernetes.api.model.SeccompProfile p, String path) {
        Check.oneOf(errs, path + ".type", p.getType(), List.of("Localhost", "RuntimeDefault", "Unconfined"));
        if ("Localhost".equals(p.getType()) && isEmpty(p.getLocalhostProfile())) {
            errs.add(FieldError.required(path + ".localhostProfile", "must be set when seccomp type is Localhost"));
        } else if (!"Localhost".equals(p.getType()) && !isEmpty(p.getLocalhostProfile())) {
            errs.add(FieldError.invalid(path + ".localhostProfile", p.getLocalhostProfile(),
                    "can only be set when seccomp type is Localhost"));
        }
    }

    // ---- volumes ---------------------------------------------------------------------------------

    static Set<String> volumes(List<FieldError> errs, List<Volume> volumes, String path) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            String p = path + "[" + i + "]";
            if (isEmpty(v.getName())) {
                errs.add(FieldError.required(p + ".name", ""));
            } else {
                Check.each(errs, p + ".name", v.getName(), Names.dns1123Label(v.getName()));
                if (!names.add(v.getName())) errs.add(FieldError.duplicate(p + ".name", v.getName()));
            }
            volumeSource(errs, v, p);
        }
        return names;
    }

    private static void volumeSource(List<FieldError> errs, Volume v, String p) {
        Map<String, Object> set = new LinkedHashMap<>();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("hostPath", v.getHostPath());
        all.put("emptyDir", v.getEmptyDir());
        all.put("gcePersistentDisk", v.getGcePersistentDisk());
        all.put("awsElasticBlockStore", v.getAwsElasticBlockStore());
        all.put("gitRepo", v.getGitRepo());
        all.put("secret", v.getSecret());
        all.put("nfs", v.getNfs());
        all.put("iscsi", v.getIscsi());
        all.put("glusterfs", v.getGlusterfs());
        all.put("persistentVolumeClaim", v.getPersistentVolumeClaim());
        all.put("rbd", v.getRbd());
        all.put("flexVolume", v.getFlexVolume());
        all.put("cinder", v.getCinder());
        all.put("cephfs", v.getCephfs());
        all.put("flocker", v.getFlocker());
        all.put("downwardAPI", v.getDownwardAPI());
        all.put("fc", v.getFc());
        all.put("azureFile", v.getAzureFile());
        all.put("configMap", v.getConfigMap());
        all.put("vsphereVolume", v.getVsphereVolume());
        all.put("quobyte", v.getQuobyte());
        all.put("azureDisk", v.getAzureDisk());
        all.put("photonPersistentDisk", v.getPhotonPersistentDisk());
        all.put("projected", v.getProjected());
        all.put("portworxVolume", v.getPortworxVolume());
        all.put("scaleIO", v.getScaleIO());
        all.put("storageos", v.getStorageos());
        all.put("csi", v.getCsi());
        all.put("ephemeral", v.getEphemeral());
        all.put("image", v.getImage());
        all.forEach((k, val) -> {
            if (val != null) set.put(k, val);
        });
        if (set.isEmpty()) {
            errs.add(FieldError.required(p, "must specify a volume type"));
            return;
        }
        int n = 0;
        for (String source : set.keySet()) {
            if (++n > 1) errs.add(FieldError.forbidden(p + "." + source, "may not specify more than 1 volume type"));
        }
        if (v.getHostPath() != null) {
            if (isEmpty(v.getHostPath().getPath())) errs.add(FieldError.required(p + ".hostPath.path", ""));
            else if (v.getHostPath().getPath().contains("..")) {
                for (String seg : v.getHostPath().getPath().split("/")) {
                    if (seg.equals("..")) {
                        errs.add(FieldError.invalid(p + ".hostPath.path", v.getHostPath().getPath(), "must not contain '..'"));
                        break;
                    }
                }
            }
            if (v.getHostPath().getType() != null && !HOST_PATH_TYPES.contains(v.getHostPath().getType())) {
                errs.add(FieldError.notSupported(p + ".hostPath.type", v.getHostPath().getType(), HOST_PATH_TYPES));
            }
        }
        if (v.getSecret() != null) {
            if (isEmpty(v.getSecret().getSecretName())) errs.add(FieldError.required(p + ".secret.secretName", ""));
            mode(errs, p + ".secret.defaultMode", v.getSecret().getDefaultMode());
            items(errs, list(v.getSecret().getItems()), p + ".secret.items");
        }
        if (v.getConfigMap() != null) {
            if (isEmpty(v.getConfigMap().getName())) errs.add(FieldError.required(p + ".configMap.name", ""));
            mode(errs, p + ".configMap.defaultMode", v.getConfigMap().getDefaultMode());
            items(errs, list(v.getConfigMap().getItems()), p + ".configMap.items");
        }
        if (v.getPersistentVolumeClaim() != null && isEmpty(v.getPersistentVolumeClaim().getClaimName())) {
            errs.add(FieldError.required(p + ".persistentVolumeClaim.claimName", ""));
        }
        if (v.getNfs() != null) {
            if (isEmpty(v.getNfs().getServer())) errs.add(FieldError.required(p + ".nfs.server", ""));
            if (isEmpty(v.getNfs().getPath())) errs.add(FieldError.required(p + ".nfs.path", ""));
            else if (!v.getNfs().getPath().startsWith("/")) {
                errs.add(FieldError.invalid(p + ".nfs.path", v.getNfs().getPath(), "must be an absolute path"));
            }
        }
        if (v.getEmptyDir() != null) {
            Check.nonNegativeQuantity(errs, p + ".emptyDir.sizeLimit", v.getEmptyDir().getSizeLimit());
            Check.oneOfIfSet(errs, p + ".emptyDir.medium", v.getEmptyDir().getMedium(), List.of("", "Memory", "HugePages"));
        }
        if (v.getDownwardAPI() != null) {
            mode(errs, p + ".downwardAPI.defaultMode", v.getDownwardAPI().getDefaultMode());
            var items = list(v.getDownwardAPI().getItems());
            for (int i = 0; i < items.size(); i++) {
                String ip = p + ".downwardAPI.items[" + i + "]";
                relativePath(errs, ip + ".path", items.get(i).getPath());
                if (items.get(i).getFieldRef() != null) fieldRef(errs, items.get(i).getFieldRef(), ip + ".fieldRef");
            }
        }
        if (v.getProjected() != null) {
            mode(errs, p + ".projected.defaultMode", v.getProjected().getDefaultMode());
            var sources = list(v.getProjected().getSources());
            for (int i = 0; i < sources.size(); i++) {
                var s = sources.get(i);
                String sp = p + ".projected.sources[" + i + "]";
                int kinds = (s.getSecret() != null ? 1 : 0) + (s.getConfigMap() != null ? 1 : 0)
                        + (s.getDownwardAPI() != null ? 1 : 0) + (s.getServiceAccountToken() != null ? 1 : 0)
                        + (s.getClusterTrustBundle() != null ? 1 : 0);
                if (kinds > 1) errs.add(FieldError.forbidden(sp, "may not specify more than 1 volume type per source"));
                if (s.getSecret() != null) items(errs, list(s.getSecret().getItems()), sp + ".secret.items");
                if (s.getConfigMap() != null) items(errs, list(s.getConfigMap().getItems()), sp + ".configMap.items");
                if (s.getDownwardAPI() != null) {
                    var items = list(s.getDownwardAPI().getItems());
                    for (int j = 0; j < items.size(); j++) {
                        relativePath(errs, sp + ".downwardAPI.items[" + j + "].path", items.get(j).getPath());
                        if (items.get(j).getFieldRef() != null) {
                            fieldRef(errs, items.get(j).getFieldRef(), sp + ".downwardAPI.items[" + j + "].fieldRef");
                        }
                    }
                }
                if (s.getServiceAccountToken() != null) {
                    var t = s.getServiceAccountToken();
                    if (t.getExpirationSeconds() != null && t.getExpirationSeconds() < 600) {
                        errs.add(FieldError.invalid(sp + ".serviceAccountToken.expirationSeconds", t.getExpirationSeconds(),
                                "may not specify a duration less than 10 minutes"));
                    } else if (t.getExpirationSeconds() != null && t.getExpirationSeconds() > (1L << 32)) {
                        errs.add(FieldError.invalid(sp + ".serviceAccountToken.expirationSeconds", t.getExpirationSeconds(),
                                "may not specify a duration larger than 2^32 seconds"));
                    }
                    relativePath(errs, sp + ".serviceAccountToken.path", t.getPath());
                }
            }
        }
    }

    private static void mode(List<FieldError> errs, String path, Integer mode) {
        if (mode != null && (mode < 0 || mode > 0777)) {
            errs.add(FieldError.invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive"));
        }
    }

    private static void items(List<FieldError> errs, List<KeyToPath> items, String path) {
        for (int i = 0; i < items.size(); i++) {
            KeyToPath k = items.get(i);
            String p = path + "[" + i + "]";
            if (isEmpty(k.getKey())) errs.add(FieldError.required(p + ".key", ""));
            relativePath(errs, p + ".path", k.getPath());
            mode(errs, p + ".mode", k.getMode());
        }
    }

    /** A path below a volume's root: relative, and without a '..' element. */
    static void relativePath(List<FieldError> errs, String path, String value) {
        if (isEmpty(value)) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        if (value.startsWith("/")) errs.add(FieldError.invalid(path, value, "must be a relative path"));
        for (String seg : value.split("/")) {
            if (seg.equals("..")) {
                errs.add(FieldError.invalid(path, value, "must not contain '..'"));
                break;
            }
        }
    }

    // ---- containers ------------------------------------------------------------------------------

    private static void container(List<FieldError> errs, Container c, String p, Set<String> volumes, Set<String> names,
                                  boolean init) {
        if (isEmpty(c.getName())) {
            errs.add(FieldError.required(p + ".name", ""));
        } else {
            Check.each(errs, p + ".name", c.getName(), Names.dns1123Label(c.getName()));
            if (!names.add(c.getName())) errs.add(FieldError.duplicate(p + ".name", c.getName()));
        }
        if (isEmpty(c.getImage())) {
            errs.add(FieldError.required(p + ".image", ""));
        } else if (!c.getImage().strip().equals(c.getImage())) {
            errs.add(FieldError.invalid(p + ".image", c.getImage(), "must not have leading or trailing whitespace"));
        }
        Check.oneOf(errs, p + ".imagePullPolicy", c.getImagePullPolicy(), PULL_POLICIES);
        Check.oneOf(errs, p + ".terminationMessagePolicy", c.getTerminationMessagePolicy(), TERMINATION_MESSAGE_POLICIES);
        boolean sidecar = init && "Always".equals(c.getRestartPolicy());
        if (c.getRestartPolicy() != null) {
            if (!init) {
                errs.add(FieldError.forbidden(p + ".restartPolicy", "may not be set for non-init containers"));
            } else if (!"Always".equals(c.getRestartPolicy())) {
                errs.add(FieldError.notSupported(p + ".restartPolicy", c.getRestartPolicy(), List.of("Always")));
            }
        }
        ports(errs, list(c.getPorts()), p + ".ports");
        env(errs, list(c.getEnv()), p + ".env");
        envFrom(errs, list(c.getEnvFrom()), p + ".envFrom");
        volumeMounts(errs, list(c.getVolumeMounts()), p + ".volumeMounts", volumes);
        resources(errs, c.getResources(), p + ".resources");
        if (init && !sidecar) {
            if (c.getLifecycle() != null) errs.add(FieldError.forbidden(p + ".lifecycle", "may not be set for init containers without restartPolicy=Always"));
            if (c.getLivenessProbe() != null) errs.add(FieldError.forbidden(p + ".livenessProbe", "may not be set for init containers without restartPolicy=Always"));
            if (c.getReadinessProbe() != null) errs.add(FieldError.forbidden(p + ".readinessProbe", "may not be set for init containers without restartPolicy=Always"));
            if (c.getStartupProbe() != null) errs.add(FieldError.forbidden(p + ".startupProbe", "may not be set for init containers without restartPolicy=Always"));
        } else {
            probe(errs, c.getLivenessProbe(), p + ".livenessProbe", true);
            probe(errs, c.getReadinessProbe(), p + ".readinessProbe", false);
            probe(errs, c.getStartupProbe(), p + ".startupProbe", true);
            if (c.getReadinessProbe() != null && c.getReadinessProbe().getTerminationGracePeriodSeconds() != null) {
                errs.add(FieldError.invalid(p + ".readinessProbe.terminationGracePeriodSeconds",
                        c.getReadinessProbe().getTerminationGracePeriodSeconds(), "must not be set for readinessProbes"));
            }
            if (c.getLifecycle() != null) {
                handler(errs, c.getLifecycle().getPostStart(), p + ".lifecycle.postStart");
                handler(errs, c.getLifecycle().getPreStop(), p + ".lifecycle.preStop");
            }
        }
        if (c.getSecurityContext() != null) {
            var sc = c.getSecurityContext();
            Check.nonNegative(errs, p + ".securityContext.runAsUser", sc.getRunAsUser());
            Check.nonNegative(errs, p + ".securityContext.runAsGroup", sc.getRunAsGroup());
            if (sc.getSeccompProfile() != null) seccomp(errs, sc.getSeccompProfile(), p + ".securityContext.seccompProfile");
            if (Boolean.TRUE.equals(sc.getPrivileged()) && Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                errs.add(FieldError.invalid(p + ".securityContext", "",
                        "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
            }
        }
    }

    private static void ports(List<FieldError> errs, List<ContainerPort> ports, String path) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            String p = path + "[" + i + "]";
            if (!isEmpty(port.getName())) {
                Check.each(errs, p + ".name", port.getName(), Names.portName(port.getName()));
                if (!names.add(port.getName())) errs.add(FieldError.duplicate(p + ".name", port.getName()));
            }
            if (port.getContainerPort() == null || port.getContainerPort() == 0) {
                errs.add(FieldError.required(p + ".containerPort", ""));
            } else {
                Check.each(errs, p + ".containerPort", String.valueOf(port.getContainerPort()),
                        Names.portNumber(port.getContainerPort()));
            }
            if (port.getHostPort() != null && port.getHostPort() != 0) {
                Check.each(errs, p + ".hostPort", String.valueOf(port.getHostPort()), Names.portNumber(port.getHostPort()));
            }
            Check.oneOf(errs, p + ".protocol", port.getProtocol(), PROTOCOLS);
        }
    }

    private static void env(List<FieldError> errs, List<EnvVar> env, String path) {
        for (int i = 0; i < env.size(); i++) {
            EnvVar e = env.get(i);
            String p = path + "[" + i + "]";
            if (isEmpty(e.getName())) {
                errs.add(FieldError.required(p + ".name", ""));
            } else {
                Check.each(errs, p + ".name", e.getName(), Names.envVarName(e.getName()));
            }
            EnvVarSource from = e.getValueFrom();
            if (from == null) continue;
            String fp = p + ".valueFrom";
            int n = 0;
            if (from.getFieldRef() != null) {
                n++;
                fieldRef(errs, from.getFieldRef(), fp + ".fieldRef");
            }
            if (from.getResourceFieldRef() != null) {
                n++;
                if (isEmpty(from.getResourceFieldRef().getResource())) {
                    errs.add(FieldError.required(fp + ".resourceFieldRef.resource", ""));
                } else {
                    List<String> supported = List.of("limits.cpu", "limits.memory", "limits.ephemeral-storage",
                            "requests.cpu", "requests.memory", "requests.ephemeral-storage");
                    String r = from.getResourceFieldRef().getResource();
                    if (!supported.contains(r) && !r.startsWith("limits.hugepages-") && !r.startsWith("requests.hugepages-")) {
                        errs.add(FieldError.notSupported(fp + ".resourceFieldRef.resource", r, supported));
                    }
                }
            }
            if (from.getConfigMapKeyRef() != null) {
                n++;
                if (isEmpty(from.getConfigMapKeyRef().getName())) errs.add(FieldError.required(fp + ".configMapKeyRef.name", ""));
                keyRef(errs, from.getConfigMapKeyRef().getKey(), fp + ".configMapKeyRef.key");
            }
            if (from.getSecretKeyRef() != null) {
                n++;
                if (isEmpty(from.getSecretKeyRef().getName())) errs.add(FieldError.required(fp + ".secretKeyRef.name", ""));
                keyRef(errs, from.getSecretKeyRef().getKey(), fp + ".secretKeyRef.key");
            }
            if (n == 0) {
                errs.add(FieldError.invalid(fp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
            } else if (n > 1) {
                errs.add(FieldError.invalid(fp, "", "may not have more than one field specified at a time"));
            }
            if (!isEmpty(e.getValue())) {
                errs.add(FieldError.invalid(fp, "", "may not be specified when `value` is not empty"));
            }
        }
    }

    private static void keyRef(List<FieldError> errs, String key, String path) {
        if (isEmpty(key)) errs.add(FieldError.required(path, ""));
        else Check.each(errs, path, key, Names.configMapKey(key));
    }

    private static void fieldRef(List<FieldError> errs, io.fabric8.kubernetes.api.model.ObjectFieldSelector ref, String p) {
        if (isEmpty(ref.getApiVersion())) {
            errs.add(FieldError.required(p + ".apiVersion", ""));
        } else if (!"v1".equals(ref.getApiVersion())) {
            errs.add(FieldError.notSupported(p + ".apiVersion", ref.getApiVersion(), List.of("v1")));
        }
        String fp = ref.getFieldPath();
        if (isEmpty(fp)) {
            errs.add(FieldError.required(p + ".fieldPath", ""));
            return;
        }
        if (fp.startsWith("metadata.labels[") || fp.startsWith("metadata.annotations[")) {
            if (!fp.endsWith("]") || fp.length() < fp.indexOf('[') + 4) {
                errs.add(FieldError.invalid(p + ".fieldPath", fp, "error converting fieldPath: invalid subscript"));
            }
            return;
        }
        if (!FIELD_REF_PATHS.contains(fp)) errs.add(FieldError.notSupported(p + ".fieldPath", fp, FIELD_REF_PATHS));
    }

    private static void envFrom(List<FieldError> errs, List<EnvFromSource> envFrom, String path) {
        for (int i = 0; i < envFrom.size(); i++) {
            EnvFromSource s = envFrom.get(i);
            String p = path + "[" + i + "]";
            if (!isEmpty(s.getPrefix())) Check.each(errs, p + ".prefix", s.getPrefix(), Names.envVarName(s.getPrefix()));
            int n = (s.getConfigMapRef() != null ? 1 : 0) + (s.getSecretRef() != null ? 1 : 0);
            if (n == 0) {
                errs.add(FieldError.invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"));
            } else if (n > 1) {
                errs.add(FieldError.invalid(p, "", "may not have more than one field specified at a time"));
            }
            if (s.getConfigMapRef() != null) {
                if (isEmpty(s.getConfigMapRef().getName())) errs.add(FieldError.required(p + ".configMapRef.name", ""));
                else Check.each(errs, p + ".configMapRef.name", s.getConfigMapRef().getName(), Names.dns1123Subdomain(s.getConfigMapRef().getName()));
            }
            if (s.getSecretRef() != null) {
                if (isEmpty(s.getSecretRef().getName())) errs.add(FieldError.required(p + ".secretRef.name", ""));
                else Check.each(errs, p + ".secretRef.name", s.getSecretRef().getName(), Names.dns1123Subdomain(s.getSecretRef().getName()));
            }
        }
    }

    private static void volumeMounts(List<FieldError> errs, List<VolumeMount> mounts, String path, Set<String> volumes) {
        Set<String> mountPaths = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            String p = path + "[" + i + "]";
            if (isEmpty(m.getName())) {
                errs.add(FieldError.required(p + ".name", ""));
            } else if (!volumes.contains(m.getName())) {
                errs.add(FieldError.notFound(p + ".name", m.getName()));
            }
            if (isEmpty(m.getMountPath())) {
                errs.add(FieldError.required(p + ".mountPath", ""));
            } else if (!mountPaths.add(m.getMountPath())) {
                errs.add(FieldError.invalid(p + ".mountPath", m.getMountPath(), "must be unique"));
            }
            if (!isEmpty(m.getSubPath())) relativePath(errs, p + ".subPath", m.getSubPath());
            if (!isEmpty(m.getSubPath()) && !isEmpty(m.getSubPathExpr())) {
                errs.add(FieldError.invalid(p + ".subPathExpr", m.getSubPathExpr(), "subPathExpr and subPath are mutually exclusive"));
            }
            Check.oneOfIfSet(errs, p + ".mountPropagation", m.getMountPropagation(), List.of("Bidirectional", "HostToContainer", "None"));
        }
    }

    // ---- resources -------------------------------------------------------------------------------

    static void resources(List<FieldError> errs, ResourceRequirements r, String path) {
        if (r == null) return;
        Map<String, BigDecimal> limits = new HashMap<>();
        for (var e : Check.map(r.getLimits()).entrySet()) {
            String p = path + ".limits[" + e.getKey() + "]";
            resourceName(errs, e.getKey(), p);
            BigDecimal a = Check.quantity(errs, p, e.getValue());
            if (a != null) {
                if (a.signum() < 0) errs.add(FieldError.invalid(p, e.getValue().toString(), Check.NEGATIVE));
                limits.put(e.getKey(), a);
            }
        }
        for (var e : Check.map(r.getRequests()).entrySet()) {
            String p = path + ".requests[" + e.getKey() + "]";
            resourceName(errs, e.getKey(), p);
            BigDecimal a = Check.quantity(errs, p, e.getValue());
            if (a == null) continue;
            if (a.signum() < 0) errs.add(FieldError.invalid(p, e.getValue().toString(), Check.NEGATIVE));
            BigDecimal limit = limits.get(e.getKey());
            if (limit != null && a.compareTo(limit) > 0) {
                errs.add(FieldError.invalid(p, e.getValue().toString(), "must be less than or equal to " + e.getKey()
                        + " limit of " + r.getLimits().get(e.getKey())));
            }
            if (isExtended(e.getKey()) && (limit == null || a.compareTo(limit) != 0)) {
                errs.add(FieldError.invalid(p, e.getValue().toString(), "must be equal to " + e.getKey() + " limit"
                        + (limit == null ? "" : " of " + r.getLimits().get(e.getKey()))));
            }
        }
    }

    private static boolean isExtended(String name) {
        return name.contains("/") && !name.startsWith("requests.") && !name.contains("kubernetes.io/");
    }

    private static void resourceName(List<FieldError> errs, String name, String path) {
        Check.each(errs, path, name, Names.qualifiedName(name));
        boolean standard = name.equals("cpu") || name.equals("memory") || name.equals("ephemeral-storage")
                || name.startsWith("hugepages-");
        if (!standard && !name.contains("/")) {
            errs.add(FieldError.invalid(path, name, "must be a standard resource for containers"));
        }
    }

    // ---- probes ----------------------------------------------------------------------------------

    private static void probe(List<FieldError> errs, Probe probe, String p, boolean successMustBeOne) {
        if (probe == null) return;
        int n = 0;
        for (var entry : new Object[][] {{"exec", probe.getExec()}, {"httpGet", probe.getHttpGet()},
                {"tcpSocket", probe.getTcpSocket()}, {"grpc", probe.getGrpc()}}) {
            if (entry[1] != null && ++n > 1) {
                errs.add(FieldError.forbidden(p + "." + entry[0], "may not specify more than 1 handler type"));
            }
        }
        if (n == 0) errs.add(FieldError.required(p, "must specify a handler type"));
        if (probe.getExec() != null && list(probe.getExec().getCommand()).isEmpty()) {
            errs.add(FieldError.required(p + ".exec.command", ""));
        }
        if (probe.getHttpGet() != null) httpGet(errs, probe.getHttpGet(), p + ".httpGet");
        if (probe.getTcpSocket() != null) Check.portNumOrName(errs, p + ".tcpSocket.port", probe.getTcpSocket().getPort());
        if (probe.getGrpc() != null) {
            Integer port = probe.getGrpc().getPort();
            Check.each(errs, p + ".grpc.port", String.valueOf(port), Names.portNumber(port == null ? 0 : port));
        }
        Check.nonNegative(errs, p + ".initialDelaySeconds", probe.getInitialDelaySeconds());
        Check.nonNegative(errs, p + ".timeoutSeconds", probe.getTimeoutSeconds());
        Check.nonNegative(errs, p + ".periodSeconds", probe.getPeriodSeconds());
        Check.nonNegative(errs, p + ".successThreshold", probe.getSuccessThreshold());
        Check.nonNegative(errs, p + ".failureThreshold", probe.getFailureThreshold());
        if (successMustBeOne && probe.getSuccessThreshold() != null && probe.getSuccessThreshold() != 1) {
            errs.add(FieldError.invalid(p + ".successThreshold", probe.getSuccessThreshold(), "must be 1"));
        }
        if (probe.getTerminationGracePeriodSeconds() != null && probe.getTerminationGracePeriodSeconds() <= 0) {
            errs.add(FieldError.invalid(p + ".terminationGracePeriodSeconds", probe.getTerminationGracePeriodSeconds(),
                    "must be greater than 0"));
        }
    }

    private static void httpGet(List<FieldError> errs, io.fabric8.kubernetes.api.model.HTTPGetAction a, String p) {
        if (isEmpty(a.getPath())) errs.add(FieldError.required(p + ".path", ""));
        Check.portNumOrName(errs, p + ".port", a.getPort());
        if (!isEmpty(a.getScheme()) && !List.of("HTTP", "HTTPS").contains(a.getScheme())) {
            errs.add(FieldError.notSupported(p + ".scheme", a.getScheme(), List.of("HTTP", "HTTPS")));
        }
    }

    private static void handler(List<FieldError> errs, LifecycleHandler h, String p) {
        if (h == null) return;
        int n = (h.getExec() != null ? 1 : 0) + (h.getHttpGet() != null ? 1 : 0) + (h.getTcpSocket() != null ? 1 : 0)
                + (h.getSleep() != null ? 1 : 0);
        if (n == 0) errs.add(FieldError.required(p, "must specify a handler type"));
        if (n > 1) errs.add(FieldError.forbidden(p, "may not specify more than 1 handler type"));
        if (h.getExec() != null && list(h.getExec().getCommand()).isEmpty()) errs.add(FieldError.required(p + ".exec.command", ""));
        if (h.getHttpGet() != null) httpGet(errs, h.getHttpGet(), p + ".httpGet");
        if (h.getTcpSocket() != null) Check.portNumOrName(errs, p + ".tcpSocket.port", h.getTcpSocket().getPort());
    }

    // ---- scheduling ------------------------------------------------------------------------------

    static void tolerations(List<FieldError> errs, List<Toleration> tolerations, String path) {
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            String p = path + "[" + i + "]";
            if (!isEmpty(t.getKey())) errs.addAll(Labels.validateKey(t.getKey(), p + ".key"));
            if (isEmpty(t.getKey()) && !"Exists".equals(t.getOperator())) {
                errs.add(FieldError.invalid(p + ".operator", t.getOperator(),
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (t.getTolerationSeconds() != null && !"NoExecute".equals(t.getEffect())) {
                errs.add(FieldError.invalid(p + ".effect", t.getEffect(),
                        "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            String op = t.getOperator();
            if (isEmpty(op) || "Equal".equals(op)) {
                if (t.getValue() != null) Check.each(errs, p + ".value", t.getValue(), Names.labelValue(t.getValue()));
            } else if ("Exists".equals(op)) {
                if (!isEmpty(t.getValue())) {
                    errs.add(FieldError.invalid(p + ".operator", t.getValue(), "value must be empty when `operator` is 'Exists'"));
                }
            } else {
                errs.add(FieldError.notSupported(p + ".operator", op, List.of("Equal", "Exists")));
            }
            Check.oneOfIfSet(errs, p + ".effect", t.getEffect(), TAINT_EFFECTS);
        }
    }

    private static void affinity(List<FieldError> errs, Affinity a, String p) {
        if (a == null) return;
        if (a.getNodeAffinity() != null) {
            var na = a.getNodeAffinity();
            String np = p + ".nodeAffinity";
            if (na.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
                String rp = np + ".requiredDuringSchedulingIgnoredDuringExecution";
                var terms = list(na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms());
                if (terms.isEmpty()) errs.add(FieldError.required(rp + ".nodeSelectorTerms", "must have at least one node selector term"));
                for (int i = 0; i < terms.size(); i++) nodeSelectorTerm(errs, terms.get(i), rp + ".nodeSelectorTerms[" + i + "]");
            }
            var preferred = list(na.getPreferredDuringSchedulingIgnoredDuringExecution());
            for (int i = 0; i < preferred.size(); i++) {
                String pp = np + ".preferredDuringSchedulingIgnoredDuringExecution[" + i + "]";
                weight(errs, preferred.get(i).getWeight(), pp + ".weight");
                if (preferred.get(i).getPreference() != null) nodeSelectorTerm(errs, preferred.get(i).getPreference(), pp + ".preference");
            }
        }
        if (a.getPodAffinity() != null) {
            podAffinityTerms(errs, list(a.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()),
                    list(a.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()), p + ".podAffinity");
        }
        if (a.getPodAntiAffinity() != null) {
            podAffinityTerms(errs, list(a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()),
                    list(a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()), p + ".podAntiAffinity");
        }
    }

    private static void weight(List<FieldError> errs, Integer w, String path) {
        if (w == null || w < 1 || w > 100) errs.add(FieldError.invalid(path, w, "must be in the range 1-100"));
    }

    static void nodeSelectorTerm(List<FieldError> errs, NodeSelectorTerm term, String p) {
        var exprs = list(term.getMatchExpressions());
        for (int i = 0; i < exprs.size(); i++) nodeSelectorRequirement(errs, exprs.get(i), p + ".matchExpressions[" + i + "]", true);
        var fields = list(term.getMatchFields());
        for (int i = 0; i < fields.size(); i++) {
            String fp = p + ".matchFields[" + i + "]";
            NodeSelectorRequirement r = fields.get(i);
            if (!"metadata.name".equals(r.getKey())) {
                errs.add(FieldError.invalid(fp + ".key", r.getKey(), "not a valid field selector key"));
            }
            if (!List.of("In", "NotIn").contains(r.getOperator())) {
                errs.add(FieldError.invalid(fp + ".operator", r.getOperator(), "not a valid selector operator"));
            }
            if (list(r.getValues()).size() != 1) {
                errs.add(FieldError.required(fp + ".values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
            }
        }
    }

    private static void nodeSelectorRequirement(List<FieldError> errs, NodeSelectorRequirement r, String p, boolean labels) {
        var values = list(r.getValues());
        switch (String.valueOf(r.getOperator())) {
            case "In", "NotIn" -> {
                if (values.isEmpty()) errs.add(FieldError.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
            }
            case "Exists", "DoesNotExist" -> {
                if (!values.isEmpty()) errs.add(FieldError.forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            }
            case "Gt", "Lt" -> {
                if (values.size() != 1) {
                    errs.add(FieldError.required(p + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'"));
                }
            }
            default -> errs.add(FieldError.invalid(p + ".operator", r.getOperator(), "not a valid selector operator"));
        }
        if (labels) errs.addAll(Labels.validateKey(r.getKey(), p + ".key"));
    }

    private static void podAffinityTerms(List<FieldError> errs, List<PodAffinityTerm> required,
                                         List<WeightedPodAffinityTerm> preferred, String p) {
        for (int i = 0; i < required.size(); i++) {
            podAffinityTerm(errs, required.get(i), p + ".requiredDuringSchedulingIgnoredDuringExecution[" + i + "]");
        }
        for (int i = 0; i < preferred.size(); i++) {
            String pp = p + ".preferredDuringSchedulingIgnoredDuringExecution[" + i + "]";
            weight(errs, preferred.get(i).getWeight(), pp + ".weight");
            if (preferred.get(i).getPodAffinityTerm() == null) {
                errs.add(FieldError.required(pp + ".podAffinityTerm", ""));
            } else {
                podAffinityTerm(errs, preferred.get(i).getPodAffinityTerm(), pp + ".podAffinityTerm");
            }
        }
    }

    private static void podAffinityTerm(List<FieldError> errs, PodAffinityTerm t, String p) {
        errs.addAll(LabelSelector.validate(t.getLabelSelector(), p + ".labelSelector"));
        errs.addAll(LabelSelector.validate(t.getNamespaceSelector(), p + ".namespaceSelector"));
        for (String ns : list(t.getNamespaces())) Check.each(errs, p + ".namespace", ns, Names.dns1123Label(ns));
        if (isEmpty(t.getTopologyKey())) {
            errs.add(FieldError.required(p + ".topologyKey", "can not be empty"));
        } else {
            errs.addAll(Labels.validateKey(t.getTopologyKey(), p + ".topologyKey"));
        }
    }

    private static void topologySpread(List<FieldError> errs, List<TopologySpreadConstraint> constraints, String path) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < constraints.size(); i++) {
            TopologySpreadConstraint c = constraints.get(i);
            String p = path + "[" + i + "]";
            if (c.getMaxSkew() == null || c.getMaxSkew() <= 0) {
                errs.add(FieldError.invalid(p + ".maxSkew", c.getMaxSkew(), "must be greater than zero"));
            }
            if (isEmpty(c.getTopologyKey())) {
                errs.add(FieldError.required(p + ".topologyKey", "can not be empty"));
            } else {
                errs.addAll(Labels.validateKey(c.getTopologyKey(), p + ".topologyKey"));
            }
            Check.oneOf(errs, p + ".whenUnsatisfiable", c.getWhenUnsatisfiable(), List.of("DoNotSchedule", "ScheduleAnyway"));
            if (c.getMinDomains() != null && c.getMinDomains() <= 0) {
                errs.add(FieldError.invalid(p + ".minDomains", c.getMinDomains(), "must be greater than 0"));
            }
            if (!seen.add(c.getTopologyKey() + "/" + c.getWhenUnsatisfiable())) {
                errs.add(FieldError.duplicate(p, "{" + c.getTopologyKey() + ", " + c.getWhenUnsatisfiable() + "}"));
            }
            errs.addAll(LabelSelector.validate(c.getLabelSelector(), p + ".labelSelector"));
            Check.oneOfIfSet(errs, p + ".nodeAffinityPolicy", c.getNodeAffinityPolicy(), List.of("Honor", "Ignore"));
            Check.oneOfIfSet(errs, p + ".nodeTaintsPolicy", c.getNodeTaintsPolicy(), List.of("Honor", "Ignore"));
        }
    }

    // ---- update ----------------------------------------------------------------------------------

    static final String POD_UPDATE_MESSAGE = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
            + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
            + "previously negative)";

    static void podUpdate(List<FieldError> errs, Pod pod, Pod old) {
        PodSpec spec = pod.getSpec();
        PodSpec oldSpec = old.getSpec();
        if (spec == null || oldSpec == null) return;
        Long deadline = spec.getActiveDeadlineSeconds();
        Long oldDeadline = oldSpec.getActiveDeadlineSeconds();
        if (oldDeadline != null) {
            if (deadline == null) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
            } else if (deadline > oldDeadline) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"));
            }
        }
        // tolerations: existing ones stay (tolerationSeconds may change), new ones may be added
        List<Toleration> tolerations = list(spec.getTolerations());
        for (Toleration oldT : list(oldSpec.getTolerations())) {
            boolean kept = tolerations.stream().anyMatch(t -> Objects.equals(t.getKey(), oldT.getKey())
                    && Objects.equals(t.getOperator(), oldT.getOperator()) && Objects.equals(t.getValue(), oldT.getValue())
                    && Objects.equals(t.getEffect(), oldT.getEffect()));
            if (!kept) {
                errs.add(FieldError.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                break;
            }
        }
        // everything else must be equal: compare the specs with the mutable fields taken from the new one
        PodSpec a = new io.fabric8.kubernetes.api.model.PodSpecBuilder(oldSpec).build();
        a.setActiveDeadlineSeconds(spec.getActiveDeadlineSeconds());
        a.setTolerations(spec.getTolerations());
        a.setSchedulingGates(spec.getSchedulingGates());
        if (oldSpec.getTerminationGracePeriodSeconds() != null && oldSpec.getTerminationGracePeriodSeconds() < 0
                && Long.valueOf(1).equals(spec.getTerminationGracePeriodSeconds())) {
            a.setTerminationGracePeriodSeconds(1L);
        }
        if (isEmpty(oldSpec.getNodeName())) a.setNodeName(spec.getNodeName());
        copyImages(a.getContainers(), spec.getContainers());
        copyImages(a.getInitContainers(), spec.getInitContainers());
        if (!Check.same(a, spec)) {
            errs.add(FieldError.forbidden("spec", POD_UPDATE_MESSAGE));
        }
        // the new images must still be valid
        for (int i = 0; i < list(spec.getContainers()).size(); i++) {
            if (isEmpty(spec.getContainers().get(i).getImage())) errs.add(FieldError.required("spec.containers[" + i + "].image", ""));
        }
    }

    private static void copyImages(List<Container> target, List<Container> source) {
        if (target == null || source == null || target.size() != source.size()) return;
        for (int i = 0; i < target.size(); i++) {
            if (Objects.equals(target.get(i).getName(), source.get(i).getName())) {
                target.get(i).setImage(source.get(i).getImage());
            }
        }
    }

    static List<String> containerNames(PodSpec spec) {
        List<String> names = new ArrayList<>();
        list(spec.getContainers()).forEach(c -> names.add(c.getName()));
        return names;
    }
}
