package dev.berth.core.api.defaulting;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SetDefaults for PodSpec and everything inside it (containers, probes, volumes). */
final class PodDefaults {
    private PodDefaults() {}

    static final int DEFAULT_MODE = 0644; // 420

    static void template(PodTemplateSpec template) {
        if (template != null && template.getSpec() != null) {
            spec(template.getSpec());
        }
    }

    /** What only a Pod (not a pod template) gets: requests from limits, hostPort from containerPort. */
    static void podOnly(PodSpec spec) {
        for (Container c : allContainers(spec)) {
            ResourceRequirements r = c.getResources();
            if (r != null && r.getLimits() != null && !r.getLimits().isEmpty()) {
                Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(r.getRequests());
                r.getLimits().forEach((k, v) -> requests.putIfAbsent(k, new Quantity(v.getAmount(), v.getFormat())));
                r.setRequests(requests);
            }
            if (Boolean.TRUE.equals(spec.getHostNetwork()) && c.getPorts() != null) {
                for (ContainerPort p : c.getPorts()) {
                    if (p.getHostPort() == null || p.getHostPort() == 0) p.setHostPort(p.getContainerPort());
                }
            }
        }
    }

    static List<Container> allContainers(PodSpec spec) {
        List<Container> all = new java.util.ArrayList<>();
        if (spec.getInitContainers() != null) all.addAll(spec.getInitContainers());
        if (spec.getContainers() != null) all.addAll(spec.getContainers());
        return all;
    }

    static void spec(PodSpec spec) {
        if (spec.getDnsPolicy() == null || spec.getDnsPolicy().isEmpty()) spec.setDnsPolicy("ClusterFirst");
        if (spec.getRestartPolicy() == null || spec.getRestartPolicy().isEmpty()) spec.setRestartPolicy("Always");
        if (spec.getSecurityContext() == null) spec.setSecurityContext(new PodSecurityContext());
        if (spec.getTerminationGracePeriodSeconds() == null) spec.setTerminationGracePeriodSeconds(30L);
        if (spec.getSchedulerName() == null || spec.getSchedulerName().isEmpty()) {
            spec.setSchedulerName("default-scheduler");
        }
        if (spec.getEnableServiceLinks() == null) spec.setEnableServiceLinks(true);
        for (Container c : allContainers(spec)) container(c);
        if (spec.getEphemeralContainers() != null) {
            for (EphemeralContainer c : spec.getEphemeralContainers()) ephemeralContainer(c);
        }
        if (spec.getVolumes() != null) {
            for (Volume v : spec.getVolumes()) volume(v);
        }
    }

    static void container(Container c) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) {
            c.setImagePullPolicy(pullPolicyFor(c.getImage()));
        }
        if (c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()) {
            c.setTerminationMessagePath("/dev/termination-log");
        }
        if (c.getTerminationMessagePolicy() == null || c.getTerminationMessagePolicy().isEmpty()) {
            c.setTerminationMessagePolicy("File");
        }
        if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getProtocol() == null || p.getProtocol().isEmpty()) p.setProtocol("TCP");
            }
        }
        probe(c.getLivenessProbe());
        probe(c.getReadinessProbe());
        probe(c.getStartupProbe());
        lifecycle(c.getLifecycle());
        env(c.getEnv());
    }

    private static void ephemeralContainer(EphemeralContainer c) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) {
            c.setImagePullPolicy(pullPolicyFor(c.getImage()));
        }
        if (c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()) {
            c.setTerminationMessagePath("/dev/termination-log");
        }
        if (c.getTerminationMessagePolicy() == null || c.getTerminationMessagePolicy().isEmpty()) {
            c.setTerminationMessagePolicy("File");
        }
        env(c.getEnv());
    }

    /** Always for {@code :latest} or an image without tag or digest, IfNotPresent otherwise. */
    static String pullPolicyFor(String image) {
        if (image == null) return "IfNotPresent";
        String ref = image;
        boolean hasDigest = false;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
            hasDigest = true;
        }
        String lastPart = ref.substring(ref.lastIndexOf('/') + 1);
        int colon = lastPart.lastIndexOf(':');
        String tag = colon >= 0 ? lastPart.substring(colon + 1) : (hasDigest ? "" : "latest");
        return tag.equals("latest") ? "Always" : "IfNotPresent";
    }

    static void probe(Probe p) {
        if (p == null) return;
        if (p.getTimeoutSeconds() == null || p.getTimeoutSeconds() == 0) p.setTimeoutSeconds(1);
        if (p.getPeriodSeconds() == null || p.getPeriodSeconds() == 0) p.setPeriodSeconds(10);
        if (p.getSuccessThreshold() == null || p.getSuccessThreshold() == 0) p.setSuccessThreshold(1);
        if (p.getFailureThreshold() == null || p.getFailureThreshold() == 0) p.setFailureThreshold(3);
        httpGet(p.getHttpGet());
    }

    private static void lifecycle(Lifecycle l) {
        if (l == null) return;
        for (LifecycleHandler h : new LifecycleHandler[] {l.getPostStart(), l.getPreStop()}) {
            if (h != null) httpGet(h.getHttpGet());
        }
    }

    private static void httpGet(HTTPGetAction a) {
        if (a == null) return;
        if (a.getPath() == null || a.getPath().isEmpty()) a.setPath("/");
        if (a.getScheme() == null || a.getScheme().isEmpty()) a.setScheme("HTTP");
    }

    private static void env(List<EnvVar> env) {
        if (env == null) return;
        for (EnvVar e : env) {
            if (e.getValueFrom() != null) fieldRef(e.getValueFrom().getFieldRef());
        }
    }

    private static void fieldRef(ObjectFieldSelector s) {
        if (s != null && (s.getApiVersion() == null || s.getApiVersion().isEmpty())) s.setApiVersion("v1");
    }

    static void volume(Volume v) {
        if (!hasSource(v)) v.setEmptyDir(new EmptyDirVolumeSource());
        if (v.getConfigMap() != null && v.getConfigMap().getDefaultMode() == null) {
            v.getConfigMap().setDefaultMode(DEFAULT_MODE);
        }
        if (v.getSecret() != null && v.getSecret().getDefaultMode() == null) {
            v.getSecret().setDefaultMode(DEFAULT_MODE);
        }
        if (v.getHostPath() != null && v.getHostPath().getType() == null) v.getHostPath().setType("");
        if (v.getDownwardAPI() != null) {
            if (v.getDownwardAPI().getDefaultMode() == null) v.getDownwardAPI().setDefaultMode(DEFAULT_MODE);
            if (v.getDownwardAPI().getItems() != null) v.getDownwardAPI().getItems().forEach(i -> fieldRef(i.getFieldRef()));
        }
        if (v.getProjected() != null) {
            if (v.getProjected().getDefaultMode() == null) v.getProjected().setDefaultMode(DEFAULT_MODE);
            if (v.getProjected().getSources() != null) {
                for (VolumeProjection p : v.getProjected().getSources()) {
                    if (p.getServiceAccountToken() != null && p.getServiceAccountToken().getExpirationSeconds() == null) {
                        p.getServiceAccountToken().setExpirationSeconds(3600L);
                    }
                    if (p.getDownwardAPI() != null && p.getDownwardAPI().getItems() != null) {
                        p.getDownwardAPI().getItems().forEach(i -> fieldRef(i.getFieldRef()));
                    }
                }
            }
        }
        if (v.getIscsi() != null && (v.getIscsi().getIscsiInterface() == null || v.getIscsi().getIscsiInterface().isEmpty())) {
            v.getIscsi().setIscsiInterface("default");
        }
        if (v.getRbd() != null) {
            if (v.getRbd().getPool() == null || v.getRbd().getPool().isEmpty()) v.getRbd().setPool("rbd");
            if (v.getRbd().getUser() == null || v.getRbd().getUser().isEmpty()) v.getRbd().setUser("admin");
            if (v.getRbd().getKeyring() == null || v.getRbd().getKeyring().isEmpty()) {
                v.getRbd().setKeyring("/etc/ceph/keyring");
            }
        }
    }

    /** Every volume source fabric8 knows, so a volume with none of them gets emptyDir. */
    static List<Object> sources(Volume v) {
        return java.util.Arrays.asList(v.getAwsElasticBlockStore(), v.getAzureDisk(), v.getAzureFile(), v.getCephfs(),
                v.getCinder(), v.getConfigMap(), v.getCsi(), v.getDownwardAPI(), v.getEmptyDir(), v.getEphemeral(),
                v.getFc(), v.getFlexVolume(), v.getFlocker(), v.getGcePersistentDisk(), v.getGitRepo(),
                v.getGlusterfs(), v.getHostPath(), v.getImage(), v.getIscsi(), v.getNfs(),
                v.getPersistentVolumeClaim(), v.getPhotonPersistentDisk(), v.getPortworxVolume(), v.getProjected(),
                v.getQuobyte(), v.getRbd(), v.getScaleIO(), v.getSecret(), v.getStorageos(), v.getVsphereVolume());
    }

    static boolean hasSource(Volume v) {
        return sources(v).stream().anyMatch(java.util.Objects::nonNull);
    }
}
