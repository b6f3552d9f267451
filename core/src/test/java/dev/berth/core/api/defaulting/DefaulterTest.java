package dev.berth.core.api.defaulting;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaulterTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private final Defaulter defaulter = new Defaulter();

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T defaulted(String yaml) {
        T obj = (T) SERIALIZATION.unmarshal(yaml);
        defaulter.apply(obj);
        return obj;
    }

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              volumes:
              - name: cfg
                configMap: {name: cfg}
              - name: tmp
              - name: host
                hostPath: {path: /var/log}
              containers:
              - name: app
                image: nginx
                ports: [{containerPort: 80}]
                env:
                - name: POD
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                livenessProbe:
                  httpGet: {port: 80}
                resources:
                  limits: {cpu: 500m, memory: 128Mi}
                  requests: {cpu: 100m}
              - name: side
                image: busybox:1.36
            """;

    @Test
    void fillsPodSpecDefaults() {
        Pod pod = defaulted(POD);
        var spec = pod.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Always");
        assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(spec.getSecurityContext()).isNotNull();
        assertThat(spec.getEnableServiceLinks()).isTrue();
    }

    @Test
    void fillsContainerDefaults() {
        var app = ((Pod) defaulted(POD)).getSpec().getContainers().getFirst();
        assertThat(app.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(app.getTerminationMessagePolicy()).isEqualTo("File");
        assertThat(app.getPorts().getFirst().getProtocol()).isEqualTo("TCP");
        assertThat(app.getEnv().getFirst().getValueFrom().getFieldRef().getApiVersion()).isEqualTo("v1");
    }

    @Test
    void pullsAlwaysForLatestOrUntaggedImagesAndIfNotPresentOtherwise() {
        assertThat(PodDefaults.pullPolicyFor("nginx")).isEqualTo("Always");
        assertThat(PodDefaults.pullPolicyFor("nginx:latest")).isEqualTo("Always");
        assertThat(PodDefaults.pullPolicyFor("registry:5000/team/app")).isEqualTo("Always");
        assertThat(PodDefaults.pullPolicyFor("registry:5000/team/app:1.2")).isEqualTo("IfNotPresent");
        assertThat(PodDefaults.pullPolicyFor("busybox:1.36")).isEqualTo("IfNotPresent");
        assertThat(PodDefaults.pullPolicyFor("nginx@sha256:abc")).isEqualTo("IfNotPresent");
    }

    @Test
    void fillsProbeDefaults() {
        var probe = ((Pod) defaulted(POD)).getSpec().getContainers().getFirst().getLivenessProbe();
        assertThat(probe.getTimeoutSeconds()).isEqualTo(1);
        assertThat(probe.getPeriodSeconds()).isEqualTo(10);
        assertThat(probe.getSuccessThreshold()).isEqualTo(1);
        assertThat(probe.getFailureThreshold()).isEqualTo(3);
        assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/");
    }

    @Test
    void fillsVolumeDefaults() {
        var volumes = ((Pod) defaulted(POD)).getSpec().getVolumes();
        assertThat(volumes.get(0).getConfigMap().getDefaultMode()).isEqualTo(420);
        assertThat(volumes.get(1).getEmptyDir()).isNotNull();
        assertThat(volumes.get(2).getHostPath().getType()).isEmpty();
    }

    @Test
    void podRequestsDefaultToLimitsWhereUnset() {
        var resources = ((Pod) defaulted(POD)).getSpec().getContainers().getFirst().getResources();
        assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("128Mi"));
    }

    @Test
    void podTemplatesDoNotGetRequestsFromLimits() {
        Deployment d = defaulted("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: app
                        image: nginx:1.27
                        resources: {limits: {cpu: "1"}}
                """);
        var c = d.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(c.getResources().getRequests()).isNullOrEmpty();
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(d.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Always");
    }

    @Test
    void fillsDeploymentDefaults() {
        Deployment d = defaulted("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: nginx}]}
                """);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("25%"));
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString("25%"));
        assertThat(d.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(d.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
    }

    @Test
    void recreateDeploymentsGetNoRollingUpdateParameters() {
        Deployment d = defaulted("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  strategy: {type: Recreate}
                  template: {spec: {containers: [{name: app, image: nginx}]}}
                """);
        assertThat(d.getSpec().getStrategy().getRollingUpdate()).isNull();
    }

    @Test
    void fillsServiceDefaults() {
        Service s = defaulted("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{port: 80}]
                """);
        assertThat(s.getSpec().getSessionAffinity()).isEqualTo("None");
        assertThat(s.getSpec().getPorts().getFirst().getProtocol()).isEqualTo("TCP");
        assertThat(s.getSpec().getPorts().getFirst().getTargetPort()).isEqualTo(new IntOrString(80));
        assertThat(s.getSpec().getIpFamilies()).containsExactly("IPv4");
        assertThat(s.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
        assertThat(s.getSpec().getInternalTrafficPolicy()).isEqualTo("Cluster");
        assertThat(s.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
    }

    @Test
    void clusterIPServicesGetTypeAndNoExternalTrafficPolicy() {
        Service s = defaulted("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  ports: [{port: 80, targetPort: http}]
                """);
        assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(s.getSpec().getExternalTrafficPolicy()).isNull();
        assertThat(s.getSpec().getPorts().getFirst().getTargetPort()).isEqualTo(new IntOrString("http"));
    }

    @Test
    void headlessServicesWithoutSelectorRequireEveryFamily() {
        Service s = defaulted("""
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec: {clusterIP: None, ports: [{port: 5432}]}
                """);
        assertThat(s.getSpec().getIpFamilyPolicy()).isEqualTo("RequireDualStack");
        assertThat(s.getSpec().getIpFamilies()).containsExactly("IPv4");
    }

    @Test
    void externalNameServicesGetNoIpFamilies() {
        Service s = defaulted("""
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec: {type: ExternalName, externalName: db.example.com}
                """);
        assertThat(s.getSpec().getIpFamilies()).isNullOrEmpty();
        assertThat(s.getSpec().getIpFamilyPolicy()).isNull();
        assertThat(s.getSpec().getInternalTrafficPolicy()).isNull();
    }

    @Test
    void serviceReplaceKeepsAllocatedClusterIPAndNodePorts() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  type: NodePort
                  ports: [{name: http, port: 80}, {name: dns, port: 53, protocol: UDP}]
                """;
        Service old = defaulted(yaml);
        old.getSpec().setClusterIP("10.43.0.7");
        old.getSpec().setClusterIPs(List.of("10.43.0.7"));
        old.getSpec().getPorts().get(0).setNodePort(30080);
        old.getSpec().getPorts().get(1).setNodePort(30053);
        Service sent = (Service) SERIALIZATION.unmarshal(yaml.replace("port: 53, protocol: UDP", "port: 53, protocol: TCP"));
        defaulter.applyUpdate(sent, old);
        assertThat(sent.getSpec().getClusterIPs()).containsExactly("10.43.0.7");
        assertThat(sent.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30080);
        assertThat(sent.getSpec().getPorts().get(1).getNodePort()).isNull();
    }

    @Test
    void replicationControllerTakesSelectorAndLabelsFromTemplate() {
        ReplicationController rc = defaulted("""
                apiVersion: v1
                kind: ReplicationController
                metadata: {name: web}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: nginx}]}
                """);
        assertThat(rc.getSpec().getSelector()).isEqualTo(Map.of("app", "web"));
        assertThat(rc.getMetadata().getLabels()).isEqualTo(Map.of("app", "web"));
        assertThat(rc.getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void fillsDaemonSetDefaults() {
        DaemonSet ds = defaulted("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  template: {spec: {containers: [{name: app, image: nginx}]}}
                """);
        var rolling = ds.getSpec().getUpdateStrategy().getRollingUpdate();
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(rolling.getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(rolling.getMaxSurge()).isEqualTo(new IntOrString(0));
        assertThat(ds.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
    }

    @Test
    void fillsStatefulSetDefaults() {
        StatefulSet sts = defaulted("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  template: {spec: {containers: [{name: app, image: nginx}]}}
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """);
        var spec = sts.getSpec();
        assertThat(spec.getReplicas()).isEqualTo(1);
        assertThat(spec.getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(spec.getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(spec.getUpdateStrategy().getRollingUpdate().getPartition()).isZero();
        assertThat(spec.getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(spec.getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(spec.getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(spec.getVolumeClaimTemplates().getFirst().getSpec().getVolumeMode()).isEqualTo("Filesystem");
    }

    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: pi, uid: 0b5c7d2e-1111-2222-3333-444455556666}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: pi, image: perl:5.34}]
            """;

    @Test
    void fillsJobDefaults() {
        Job job = defaulted(JOB);
        assertThat(job.getSpec().getCompletions()).isEqualTo(1);
        assertThat(job.getSpec().getParallelism()).isEqualTo(1);
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(6);
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("NonIndexed");
        assertThat(job.getSpec().getSuspend()).isFalse();
        assertThat(job.getSpec().getPodReplacementPolicy()).isEqualTo("TerminatingOrFailed");
    }

    @Test
    void jobWithOnlyParallelismKeepsCompletionsUnset() {
        Job job = defaulted(JOB.replace("  template:", "  parallelism: 3\n  template:"));
        assertThat(job.getSpec().getCompletions()).isNull();
        assertThat(job.getSpec().getParallelism()).isEqualTo(3);
    }

    @Test
    void generatesJobSelectorAndTemplateLabelsFromUid() {
        Job job = defaulted(JOB);
        defaulter.applyJobSelector(job);
        String uid = "0b5c7d2e-1111-2222-3333-444455556666";
        assertThat(job.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("batch.kubernetes.io/controller-uid", uid));
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("batch.kubernetes.io/controller-uid", uid)
                .containsEntry("batch.kubernetes.io/job-name", "pi").containsEntry("controller-uid", uid)
                .containsEntry("job-name", "pi");
    }

    @Test
    void leavesManualSelectorsAlone() {
        Job job = defaulted(JOB.replace("spec:\n  template:", "spec:\n  manualSelector: true\n  template:"));
        defaulter.applyJobSelector(job);
        assertThat(job.getSpec().getSelector()).isNull();
    }

    @Test
    void refusesToGenerateJobSelectorBeforeUidIsAssigned() {
        Job job = defaulted(JOB.replace("uid: 0b5c7d2e-1111-2222-3333-444455556666", "namespace: default"));
        assertThatThrownBy(() -> defaulter.applyJobSelector(job)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fillsCronJobDefaults() {
        CronJob cj = defaulted("""
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: hello}
                spec:
                  schedule: "* * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: hello, image: busybox:1.28}]
                """);
        assertThat(cj.getSpec().getConcurrencyPolicy()).isEqualTo("Allow");
        assertThat(cj.getSpec().getSuspend()).isFalse();
        assertThat(cj.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
        assertThat(cj.getSpec().getFailedJobsHistoryLimit()).isEqualTo(1);
        assertThat(cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getDnsPolicy()).isEqualTo("ClusterFirst");
    }

    @Test
    void fillsStorageDefaults() {
        Secret secret = defaulted("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n");
        PersistentVolumeClaim pvc = defaulted("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {}\n");
        PersistentVolume pv = defaulted("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec: {hostPath: {path: /data}}\n");
        StorageClass sc = defaulted("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x.io/y\n");
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(pvc.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(pv.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(sc.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(sc.getVolumeBindingMode()).isEqualTo("Immediate");
    }

    @Test
    void namespacesGetKubernetesFinalizerActivePhaseAndNameLabel() {
        Namespace ns = defaulted("apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n");
        assertThat(ns.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(ns.getStatus().getPhase()).isEqualTo("Active");
        assertThat(ns.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", "dev");
    }

    @Test
    void fillsHpaMinReplicasAndBehaviorPolicies() {
        HorizontalPodAutoscaler hpa = defaulted("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 5
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 60}
                """);
        var spec = hpa.getSpec();
        assertThat(spec.getMinReplicas()).isEqualTo(1);
        assertThat(spec.getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getResource().getName()).isEqualTo("cpu");
            assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(80);
        });
        assertThat(spec.getBehavior().getScaleUp().getStabilizationWindowSeconds()).isZero();
        assertThat(spec.getBehavior().getScaleUp().getPolicies()).hasSize(2);
        assertThat(spec.getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(60);
        assertThat(spec.getBehavior().getScaleDown().getSelectPolicy()).isEqualTo("Max");
    }

    @Test
    void networkPolicyTypesFollowItsRules() {
        NetworkPolicy np = defaulted("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: np}
                spec:
                  podSelector: {}
                  egress: [{ports: [{port: 53}]}]
                """);
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(np.getSpec().getEgress().getFirst().getPorts().getFirst().getProtocol()).isEqualTo("TCP");
    }

    @Test
    void limitRangeDefaultsComeFromMaxAndMin() {
        LimitRange lr = defaulted("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: cpu}
                spec:
                  limits:
                  - type: Container
                    max: {cpu: 800m}
                    min: {cpu: 200m}
                """);
        var item = lr.getSpec().getLimits().getFirst();
        assertThat(item.getDefault()).containsEntry("cpu", new Quantity("800m"));
        assertThat(item.getDefaultRequest()).containsEntry("cpu", new Quantity("800m"));
    }

    @Test
    void roleBindingSubjectsGetTheirApiGroup() {
        RoleBinding rb = defaulted("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: rb}
                roleRef: {kind: Role, name: reader}
                subjects:
                - {kind: User, name: jane}
                - {kind: ServiceAccount, name: default, namespace: dev}
                """);
        assertThat(rb.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(rb.getSubjects()).extracting(s -> s.getApiGroup()).containsExactly("rbac.authorization.k8s.io", "");
    }

    @Test
    void applyingTwiceChangesNothing() {
        Pod once = defaulted(POD);
        Pod twice = new io.fabric8.kubernetes.api.model.PodBuilder(once).build();
        defaulter.apply(twice);
        assertThat(twice).isEqualTo(once);
        assertThat(List.of(once.getSpec().getVolumes().size())).containsExactly(3);
    }
}
