package dev.berth.core.apiserver.admission.podsecurity;

import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.WindowsSecurityContextOptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks of the Pod Security Standards, as Kubernetes' pod-security-admission evaluates them:
 * a pure function from a pod's metadata and spec to the violations at a level and version.
 * Reasons and details read as Kubernetes writes them, for example
 * {@code privileged (container "c" must not set securityContext.privileged=true)}.
 */
public final class PodSecurityChecks {
    private PodSecurityChecks() {}

    /** One failed check: the short reason and the detail naming containers, volumes and values. */
    public record Violation(String reason, String detail) {
        @Override
        public String toString() {
            return detail.isEmpty() ? reason : reason + " (" + detail + ")";
        }
    }

    /** A container of any kind (init, regular, ephemeral) as the checks see it. */
    private record Ctr(String name, SecurityContext sc, List<ContainerPort> ports) {}

    private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

    /** Every violation of {@code policy}; empty when the pod meets it (always, for privileged). */
    public static List<Violation> check(ObjectMeta meta, PodSpec spec, LevelVersion policy) {
        List<Violation> out = new ArrayList<>();
        if (policy.level() == Level.PRIVILEGED || spec == null) {
            return out;
        }
        ObjectMeta m = meta == null ? new ObjectMeta() : meta;
        PodSecurityContext psc = spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
        List<Ctr> ctrs = containers(spec);
        boolean restricted = policy.level() == Level.RESTRICTED;
        boolean windows = spec.getOs() != null && "windows".equals(spec.getOs().getName());
        // baseline, in the order of Kubernetes' check IDs; restricted checks replace some of them
        add(out, appArmor(m, psc, ctrs, policy));
        if (!(restricted && policy.atLeast(22))) {
            add(out, baselineCapabilities(ctrs));
        }
        add(out, hostNamespaces(spec));
        if (!restricted) {
            add(out, hostPathVolumes(spec));
        }
        add(out, hostPorts(ctrs));
        add(out, privileged(ctrs));
        add(out, procMount(ctrs));
        if (!(restricted && policy.atLeast(19))) {
            add(out, baselineSeccomp(psc, ctrs));
        }
        add(out, seLinux(psc, ctrs, policy));
        add(out, sysctls(psc, policy));
        add(out, hostProcess(psc, ctrs));
        if (restricted) {
            if (!(windows && policy.atLeast(25))) {
                add(out, privilegeEscalation(ctrs));
            }
            if (policy.atLeast(22) && !(windows && policy.atLeast(25))) {
                add(out, restrictedCapabilities(ctrs));
            }
            add(out, restrictedVolumes(spec));
            add(out, runAsNonRoot(psc, ctrs));
            if (policy.atLeast(23)) {
                add(out, runAsUser(psc, ctrs));
            }
            if (policy.atLeast(19) && !(windows && policy.atLeast(25))) {
                add(out, restrictedSeccomp(psc, ctrs));
            } else {
                add(out, baselineSeccomp(psc, ctrs));
            }
        }
        return out;
    }

    private static void add(List<Violation> out, Violation v) {
        if (v != null) {
            out.add(v);
        }
    }

    private static List<Ctr> containers(PodSpec spec) {
        List<Ctr> out = new ArrayList<>();
        spec.getInitContainers().forEach(c -> out.add(new Ctr(c.getName(), c.getSecurityContext(), c.getPorts())));
        spec.getContainers().forEach(c -> out.add(new Ctr(c.getName(), c.getSecurityContext(), c.getPorts())));
        spec.getEphemeralContainers().forEach(c -> out.add(new Ctr(c.getName(), c.getSecurityContext(), c.getPorts())));
        return out;
    }

    // ---- baseline ---------------------------------------------------------------------------

    private static Violation appArmor(ObjectMeta meta, PodSecurityContext psc, List<Ctr> ctrs, LevelVersion policy) {
        List<String> bad = new ArrayList<>();
        if (policy.atLeast(30) && badAppArmor(psc.getAppArmorProfile())) {
            bad.add("pod \"" + psc.getAppArmorProfile().getType() + "\"");
        }
        if (policy.atLeast(30)) {
            for (Ctr c : ctrs) {
                if (c.sc() != null && badAppArmor(c.sc().getAppArmorProfile())) {
                    bad.add("container \"" + c.name() + "\" \"" + c.sc().getAppArmorProfile().getType() + "\"");
                }
            }
        }
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        annotations.entrySet().stream().filter(e -> e.getKey().startsWith(APPARMOR_ANNOTATION)).sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String v = e.getValue();
                    if (!v.isEmpty() && !v.equals("runtime/default") && !v.startsWith("localhost/")) {
                        bad.add(e.getKey() + "=\"" + v + "\"");
                    }
                });
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation(bad.size() == 1 ? "forbidden AppArmor profile" : "forbidden AppArmor profiles",
                String.join(", ", bad));
    }

    private static boolean badAppArmor(AppArmorProfile p) {
        return p != null && p.getType() != null && !p.getType().equals("RuntimeDefault") && !p.getType().equals("Localhost");
    }

    private static Violation baselineCapabilities(List<Ctr> ctrs) {
        List<String> bad = new ArrayList<>();
        Set<String> forbidden = new LinkedHashSet<>();
        for (Ctr c : ctrs) {
            boolean any = false;
            for (String cap : added(c)) {
                if (!BASELINE_CAPABILITIES.contains(cap)) {
                    forbidden.add(cap);
                    any = true;
                }
            }
            if (any) {
                bad.add(c.name());
            }
        }
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation("non-default capabilities", containers(bad) + " must not include "
                + joinQuote(forbidden) + " in securityContext.capabilities.add");
    }

    private static List<String> added(Ctr c) {
        Capabilities caps = c.sc() == null ? null : c.sc().getCapabilities();
        return caps == null || caps.getAdd() == null ? List.of() : caps.getAdd();
    }

    private static Violation hostNamespaces(PodSpec spec) {
        List<String> set = new ArrayList<>();
        if (Boolean.TRUE.equals(spec.getHostNetwork())) set.add("hostNetwork=true");
        if (Boolean.TRUE.equals(spec.getHostPID())) set.add("hostPID=true");
        if (Boolean.TRUE.equals(spec.getHostIPC())) set.add("hostIPC=true");
        return set.isEmpty() ? null : new Violation("host namespaces", String.join(", ", set));
    }

    private static Violation hostPathVolumes(PodSpec spec) {
        List<String> bad = spec.getVolumes().stream().filter(v -> v.getHostPath() != null).map(Volume::getName).toList();
        return bad.isEmpty() ? null : new Violation("hostPath volumes", pluralize(bad.size(), "volume", "volumes") + " " + joinQuote(bad));
    }

    private static Violation hostPorts(List<Ctr> ctrs) {
        List<String> bad = new ArrayList<>();
        Set<String> ports = new LinkedHashSet<>();
        for (Ctr c : ctrs) {
            boolean any = false;
            for (ContainerPort p : c.ports() == null ? List.<ContainerPort>of() : c.ports()) {
                if (p.getHostPort() != null && p.getHostPort() != 0) {
                    ports.add(String.valueOf(p.getHostPort()));
                    any = true;
                }
            }
            if (any) bad.add(c.name());
        }
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation("hostPort", containers(bad) + " " + pluralize(bad.size(), "uses", "use") + " "
                + pluralize(ports.size(), "hostPort", "hostPorts") + " " + String.join(", ", ports));
    }

    private static Violation privileged(List<Ctr> ctrs) {
        List<String> bad = names(ctrs, c -> c.sc() != null && Boolean.TRUE.equals(c.sc().getPrivileged()));
        return bad.isEmpty() ? null
                : new Violation("privileged", containers(bad) + " must not set securityContext.privileged=true");
    }

    private static Violation procMount(List<Ctr> ctrs) {
        List<String> bad = new ArrayList<>();
        Set<String> values = new LinkedHashSet<>();
        for (Ctr c : ctrs) {
            String pm = c.sc() == null ? null : c.sc().getProcMount();
            if (pm != null && !pm.equals("Default")) {
                bad.add(c.name());
                values.add(pm);
            }
        }
        return bad.isEmpty() ? null : new Violation("procMount", containers(bad)
                + " must not set securityContext.procMount to " + joinQuote(values));
    }

    private static Violation baselineSeccomp(PodSecurityContext psc, List<Ctr> ctrs) {
        boolean pod = unconfined(psc.getSeccompProfile());
        List<String> bad = names(ctrs, c -> c.sc() != null && unconfined(c.sc().getSeccompProfile()));
        if (!pod && bad.isEmpty()) {
            return null;
        }
        return new Violation("seccompProfile", subjects(pod, "and", bad)
                + " must not set securityContext.seccompProfile.type to \"Unconfined\"");
    }

    private static boolean unconfined(SeccompProfile p) {
        return p != null && "Unconfined".equals(p.getType());
    }

    private static Violation seLinux(PodSecurityContext psc, List<Ctr> ctrs, LevelVersion policy) {
        Set<String> types = new LinkedHashSet<>();
        Set<String> users = new LinkedHashSet<>();
        Set<String> roles = new LinkedHashSet<>();
        boolean pod = badSeLinux(psc.getSeLinuxOptions(), policy, types, users, roles);
        List<String> bad = names(ctrs, c -> c.sc() != null && badSeLinux(c.sc().getSeLinuxOptions(), policy, types, users, roles));
        if (!pod && bad.isEmpty()) {
            return null;
        }
        List<String> what = new ArrayList<>();
        if (!types.isEmpty()) what.add(pluralize(types.size(), "type", "types") + " " + joinQuote(types));
        if (!users.isEmpty()) what.add("user " + joinQuote(users));
        if (!roles.isEmpty()) what.add("role " + joinQuote(roles));
        return new Violation("seLinuxOptions", subjects(pod, "and", bad) + " set forbidden securityContext.seLinuxOptions: "
                + String.join("; ", what));
    }

    private static boolean badSeLinux(SELinuxOptions o, LevelVersion policy, Set<String> types, Set<String> users,
                                      Set<String> roles) {
        if (o == null) {
            return false;
        }
        boolean bad = false;
        String type = o.getType() == null ? "" : o.getType();
        Set<String> allowed = policy.atLeast(31)
                ? Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")
                : Set.of("", "container_t", "container_init_t", "container_kvm_t");
        if (!allowed.contains(type)) {
            types.add(type);
            bad = true;
        }
        if (o.getUser() != null && !o.getUser().isEmpty()) {
            users.add(o.getUser());
            bad = true;
        }
        if (o.getRole() != null && !o.getRole().isEmpty()) {
            roles.add(o.getRole());
            bad = true;
        }
        return bad;
    }

    private static Violation sysctls(PodSecurityContext psc, LevelVersion policy) {
        Set<String> allowed = new java.util.HashSet<>(Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range"));
        if (policy.atLeast(22)) allowed.add("net.ipv4.ip_unprivileged_port_start");
        if (policy.atLeast(27)) allowed.add("net.ipv4.ip_local_reserved_ports");
        if (policy.atLeast(29)) {
            allowed.addAll(Set.of("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"));
        }
        List<String> bad = psc.getSysctls().stream().map(Sysctl::getName).filter(n -> !allowed.contains(n)).toList();
        return bad.isEmpty() ? null : new Violation("forbidden sysctls", String.join(", ", bad));
    }

    private static Violation hostProcess(PodSecurityContext psc, List<Ctr> ctrs) {
        boolean pod = hostProcess(psc.getWindowsOptions());
        List<String> bad = names(ctrs, c -> c.sc() != null && hostProcess(c.sc().getWindowsOptions()));
        if (!pod && bad.isEmpty()) {
            return null;
        }
        return new Violation("hostProcess", subjects(pod, "and", bad)
                + " must not set securityContext.windowsOptions.hostProcess=true");
    }

    private static boolean hostProcess(WindowsSecurityContextOptions o) {
        return o != null && Boolean.TRUE.equals(o.getHostProcess());
    }

    // ---- restricted -------------------------------------------------------------------------

    private static Violation privilegeEscalation(List<Ctr> ctrs) {
        List<String> bad = names(ctrs, c -> c.sc() == null || !Boolean.FALSE.equals(c.sc().getAllowPrivilegeEscalation()));
        return bad.isEmpty() ? null : new Violation("allowPrivilegeEscalation != false",
                containers(bad) + " must set securityContext.allowPrivilegeEscalation=false");
    }

    private static Violation restrictedCapabilities(List<Ctr> ctrs) {
        List<String> noDrop = new ArrayList<>();
        List<String> badAdd = new ArrayList<>();
        Set<String> forbidden = new LinkedHashSet<>();
        for (Ctr c : ctrs) {
            Capabilities caps = c.sc() == null ? null : c.sc().getCapabilities();
            List<String> drop = caps == null || caps.getDrop() == null ? List.of() : caps.getDrop();
            if (!drop.contains("ALL")) {
                noDrop.add(c.name());
            }
            boolean any = false;
            for (String cap : added(c)) {
                if (!cap.equals("NET_BIND_SERVICE")) {
                    forbidden.add(cap);
                    any = true;
                }
            }
            if (any) badAdd.add(c.name());
        }
        List<String> details = new ArrayList<>();
        if (!noDrop.isEmpty()) {
            details.add(containers(noDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        if (!badAdd.isEmpty()) {
            details.add(containers(badAdd) + " must not include " + joinQuote(forbidden)
                    + " in securityContext.capabilities.add");
        }
        return details.isEmpty() ? null : new Violation("unrestricted capabilities", String.join("; ", details));
    }

    private static Violation restrictedVolumes(PodSpec spec) {
        List<String> bad = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        for (Volume v : spec.getVolumes()) {
            String type = volumeType(v);
            if (!RESTRICTED_VOLUME_TYPES.contains(type)) {
                bad.add(v.getName());
                types.add(type);
            }
        }
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation("restricted volume types", pluralize(bad.size(), "volume", "volumes") + " " + joinQuote(bad)
                + " " + pluralize(bad.size(), "uses", "use") + " restricted volume " + pluralize(types.size(), "type", "types")
                + " " + joinQuote(types));
    }

    /** The volume source's field name ({@code hostPath}, {@code nfs} ...), or {@code unknown}. */
    static String volumeType(Volume v) {
        com.fasterxml.jackson.databind.JsonNode n = dev.berth.core.api.Json.MAPPER.valueToTree(v);
        var names = n.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!f.equals("name") && !n.get(f).isNull()) {
                return f;
            }
        }
        return "unknown";
    }

    private static Violation runAsNonRoot(PodSecurityContext psc, List<Ctr> ctrs) {
        List<String> details = new ArrayList<>();
        Boolean pod = psc.getRunAsNonRoot();
        if (Boolean.FALSE.equals(pod)) {
            details.add("pod must not set securityContext.runAsNonRoot=false");
        }
        List<String> explicitFalse = names(ctrs, c -> c.sc() != null && Boolean.FALSE.equals(c.sc().getRunAsNonRoot()));
        if (!explicitFalse.isEmpty()) {
            details.add(containers(explicitFalse) + " must not set securityContext.runAsNonRoot=false");
        }
        if (!Boolean.TRUE.equals(pod)) {
            List<String> unset = names(ctrs, c -> c.sc() == null || c.sc().getRunAsNonRoot() == null);
            if (!unset.isEmpty()) {
                details.add("pod or " + containers(unset) + " must set securityContext.runAsNonRoot=true");
            }
        }
        return details.isEmpty() ? null : new Violation("runAsNonRoot != true", String.join("; ", details));
    }

    private static Violation runAsUser(PodSecurityContext psc, List<Ctr> ctrs) {
        boolean pod = Long.valueOf(0).equals(psc.getRunAsUser());
        List<String> bad = names(ctrs, c -> c.sc() != null && Long.valueOf(0).equals(c.sc().getRunAsUser()));
        if (!pod && bad.isEmpty()) {
            return null;
        }
        return new Violation("runAsUser=0", subjects(pod, "and", bad) + " must not set runAsUser=0");
    }

    private static Violation restrictedSeccomp(PodSecurityContext psc, List<Ctr> ctrs) {
        List<String> details = new ArrayList<>();
        SeccompProfile podProfile = psc.getSeccompProfile();
        boolean podBad = podProfile != null && !allowedSeccomp(podProfile);
        if (podBad) {
            details.add("pod must not set securityContext.seccompProfile.type to " + quote(podProfile.getType()));
        }
        List<String> bad = new ArrayList<>();
        Set<String> badTypes = new LinkedHashSet<>();
        List<String> unset = new ArrayList<>();
        for (Ctr c : ctrs) {
            SeccompProfile p = c.sc() == null ? null : c.sc().getSeccompProfile();
            if (p == null) {
                if (podProfile == null) {
                    unset.add(c.name());
                }
            } else if (!allowedSeccomp(p)) {
                bad.add(c.name());
                badTypes.add(p.getType() == null ? "" : p.getType());
            }
        }
        if (!bad.isEmpty()) {
            details.add(containers(bad) + " must not set securityContext.seccompProfile.type to " + joinQuote(badTypes));
        }
        if (!unset.isEmpty()) {
            details.add("pod or " + containers(unset)
                    + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        return details.isEmpty() ? null : new Violation("seccompProfile", String.join("; ", details));
    }

    private static boolean allowedSeccomp(SeccompProfile p) {
        return "RuntimeDefault".equals(p.getType()) || "Localhost".equals(p.getType());
    }

    // ---- wording ----------------------------------------------------------------------------

    private static List<String> names(List<Ctr> ctrs, java.util.function.Predicate<Ctr> bad) {
        return ctrs.stream().filter(bad).map(Ctr::name).toList();
    }

    /** {@code container "a"} or {@code containers "a", "b"}. */
    private static String containers(List<String> names) {
        return pluralize(names.size(), "container", "containers") + " " + joinQuote(names);
    }

    /** {@code pod}, {@code container "a"}, or {@code pod and containers "a", "b"}. */
    private static String subjects(boolean pod, String conjunction, List<String> containers) {
        if (containers.isEmpty()) {
            return "pod";
        }
        return (pod ? "pod " + conjunction + " " : "") + containers(containers);
    }

    private static String pluralize(int n, String one, String many) {
        return n == 1 ? one : many;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String joinQuote(java.util.Collection<String> values) {
        return values.stream().map(PodSecurityChecks::quote).collect(Collectors.joining(", "));
    }
}
