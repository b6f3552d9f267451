package dev.berth.core.apiserver.admission.podsecurity;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodSecurityChecksTest {
    private static final LevelVersion BASELINE = new LevelVersion(Level.BASELINE, LevelVersion.LATEST);
    private static final LevelVersion RESTRICTED = LevelVersion.RESTRICTED_LATEST;

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec();
    }

    /** A pod that meets restricted: non-root, no escalation, all capabilities dropped, RuntimeDefault seccomp. */
    private static PodBuilder hardened() {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("c").withImage("busybox")
                .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer().endSpec();
    }

    private static List<String> check(Pod p, LevelVersion policy) {
        return PodSecurityChecks.check(p.getMetadata(), p.getSpec(), policy).stream()
                .map(PodSecurityChecks.Violation::toString).toList();
    }

    @Test
    void privilegedAllowsAnything() {
        Pod p = pod().editSpec().withHostNetwork(true).editFirstContainer().withNewSecurityContext().withPrivileged(true)
                .endSecurityContext().endContainer().endSpec().build();
        assertThat(check(p, LevelVersion.PRIVILEGED_LATEST)).isEmpty();
    }

    @Test
    void baselineAllowsAPlainPodButRestrictedNamesEveryMissingHardening() {
        Pod p = pod().build();
        assertThat(check(p, BASELINE)).isEmpty();
        assertThat(check(p, RESTRICTED)).containsExactly(
                "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false)",
                "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"])",
                "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true)",
                "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
        assertThat(check(hardened().build(), RESTRICTED)).isEmpty();
    }

    @Test
    void baselineRefusesHostNamespacesPrivilegeHostPathsAndHostPorts() {
        Pod p = pod().editSpec().withHostNetwork(true).withHostPID(true)
                .addNewVolume().withName("root").withNewHostPath().withPath("/").endHostPath().endVolume()
                .editFirstContainer().withNewSecurityContext().withPrivileged(true)
                .withNewCapabilities().withAdd("NET_ADMIN", "CHOWN").endCapabilities().endSecurityContext()
                .addNewPort().withContainerPort(80).withHostPort(8080).endPort().endContainer()
                .addNewContainer().withName("d").withImage("busybox").addNewPort().withContainerPort(81).withHostPort(8081)
                .endPort().endContainer().endSpec().build();
        assertThat(check(p, BASELINE)).containsExactly(
                "non-default capabilities (container \"c\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)",
                "host namespaces (hostNetwork=true, hostPID=true)",
                "hostPath volumes (volume \"root\")",
                "hostPort (containers \"c\", \"d\" use hostPorts 8080, 8081)",
                "privileged (container \"c\" must not set securityContext.privileged=true)");
    }

    @Test
    void restrictedReportsHostPathAsARestrictedVolumeTypeAndRefusesRoot() {
        Pod p = hardened().editSpec().editSecurityContext().withRunAsUser(0L).endSecurityContext()
                .addNewVolume().withName("data").withNewHostPath().withPath("/data").endHostPath().endVolume()
                .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build();
        assertThat(check(p, RESTRICTED)).containsExactly(
                "restricted volume types (volume \"data\" uses restricted volume type \"hostPath\")",
                "runAsUser=0 (pod must not set runAsUser=0)");
    }

    @Test
    void baselineChecksSeccompSelinuxProcMountSysctlsAppArmorAndHostProcess() {
        Pod p = pod().editMetadata().addToAnnotations("container.apparmor.security.beta.kubernetes.io/c", "unconfined")
                .endMetadata().editSpec()
                .withNewSecurityContext().withNewSeccompProfile().withType("Unconfined").endSeccompProfile()
                .withNewSeLinuxOptions().withType("spc_t").endSeLinuxOptions()
                .addNewSysctl().withName("kernel.msgmax").withValue("1").endSysctl()
                .addNewSysctl().withName("net.ipv4.tcp_syncookies").withValue("1").endSysctl()
                .withNewWindowsOptions().withHostProcess(true).endWindowsOptions()
                .endSecurityContext()
                .editFirstContainer().withNewSecurityContext().withProcMount("Unmasked").endSecurityContext().endContainer()
                .endSpec().build();
        assertThat(check(p, BASELINE)).containsExactly(
                "forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c=\"unconfined\")",
                "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")",
                "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")",
                "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"spc_t\")",
                "forbidden sysctls (kernel.msgmax)",
                "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)");
    }

    @Test
    void restrictedAllowsOnlyNetBindServiceToBeAddedAndChecksInitAndEphemeralContainers() {
        Pod p = hardened().editSpec()
                .addNewInitContainer().withName("init").withImage("busybox")
                .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").withAdd("NET_BIND_SERVICE", "SYS_TIME").endCapabilities()
                .endSecurityContext().endInitContainer()
                .addNewEphemeralContainer().withName("debug").withImage("busybox").endEphemeralContainer()
                .endSpec().build();
        assertThat(check(p, RESTRICTED)).containsExactly(
                "allowPrivilegeEscalation != false (container \"debug\" must set securityContext.allowPrivilegeEscalation=false)",
                "unrestricted capabilities (container \"debug\" must set securityContext.capabilities.drop=[\"ALL\"]; "
                        + "container \"init\" must not include \"SYS_TIME\" in securityContext.capabilities.add)");
    }

    @Test
    void aContainerMayNotUndoThePodsRunAsNonRoot() {
        Pod p = hardened().editSpec().editFirstContainer().editSecurityContext().withRunAsNonRoot(false)
                .endSecurityContext().endContainer().endSpec().build();
        assertThat(check(p, RESTRICTED)).containsExactly(
                "runAsNonRoot != true (container \"c\" must not set securityContext.runAsNonRoot=false)");
    }

    @Test
    void olderVersionsOfTheStandardsApplyTheirOwnChecks() {
        Pod p = hardened().editSpec().editSecurityContext().withRunAsUser(0L)
                .addNewSysctl().withName("net.ipv4.tcp_keepalive_time").withValue("60").endSysctl()
                .endSecurityContext().endSpec().build();
        assertThat(check(p, new LevelVersion(Level.RESTRICTED, 22))).containsExactly(
                "forbidden sysctls (net.ipv4.tcp_keepalive_time)");
        assertThat(check(p, RESTRICTED)).containsExactly("runAsUser=0 (pod must not set runAsUser=0)");
    }

    @Test
    void levelsAndVersionsParseAsKubernetesWritesThem() {
        assertThat(Level.parse("restricted")).contains(Level.RESTRICTED);
        assertThat(Level.parse("Restricted")).isEmpty();
        assertThat(LevelVersion.parseVersion("latest")).contains(LevelVersion.LATEST);
        assertThat(LevelVersion.parseVersion("v1.30")).contains(30);
        assertThat(LevelVersion.parseVersion("1.30")).isEmpty();
        assertThat(LevelVersion.parseVersion("v1.030")).isEmpty();
        assertThat(new LevelVersion(Level.BASELINE, 29)).hasToString("baseline:v1.29");
        assertThat(RESTRICTED).hasToString("restricted:latest");
    }

    @Test
    void aPodWithoutSpecOrMetadataHasNothingToViolate() {
        assertThat(PodSecurityChecks.check(new ObjectMeta(), null, RESTRICTED)).isEmpty();
        assertThat(PodSecurityChecks.check(null, new PodSpec(), RESTRICTED)).isEmpty();
    }
}
