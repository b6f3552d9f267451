package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.core.api.validation.Fixtures.DEPLOYMENT;
import static dev.berth.core.api.validation.Fixtures.POD;
import static dev.berth.core.api.validation.Fixtures.SERVICE;
import static dev.berth.core.api.validation.Fixtures.create;
import static dev.berth.core.api.validation.Fixtures.rendered;
import static dev.berth.core.api.validation.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidatorTest {

    @Nested
    class ObjectMeta {
        @Test
        void requiresNameOrGenerateName() {
            assertThat(create(POD.replace("name: web, ", ""))).containsExactly(
                    FieldError.required("metadata.name", "name or generateName is required"));
        }

        @Test
        void acceptsGenerateNameEndingInDash() {
            assertThat(create(POD.replace("name: web, ", "generateName: web-, "))).isEmpty();
        }

        @Test
        void rejectsUppercaseNames() {
            assertThat(create(POD.replace("name: web,", "name: Web,"))).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("metadata.name");
                assertThat(e.value()).isEqualTo("Web");
                assertThat(e.detail()).startsWith("a lowercase RFC 1123 subdomain must consist of");
            });
        }

        @Test
        void serviceNamesMustBeDns1035Labels() {
            assertThat(create(SERVICE.replace("name: web,", "name: 1web,"))).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("metadata.name");
                assertThat(e.detail()).startsWith("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character");
            });
        }

        @Test
        void namespaceNamesMustBeDnsLabels() {
            assertThat(create("apiVersion: v1\nkind: Namespace\nmetadata: {name: dev.team}\n")).singleElement()
                    .extracting(FieldError::field).isEqualTo("metadata.name");
        }

        @Test
        void rbacNamesMayContainColons() {
            assertThat(create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: "system:reader"}
                    rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                    """)).isEmpty();
        }

        @Test
        void rejectsInvalidLabelKeys() {
            assertThat(create(POD.replace("labels: {app: web}", "labels: {\"bad key\": web}"))).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("metadata.labels");
                assertThat(e.value()).isEqualTo("bad key");
                assertThat(e.detail()).startsWith("name part must consist of alphanumeric characters");
            });
        }

        @Test
        void finalizersMustBeQualifiedNamesAndNotBothDeletionModes() {
            assertThat(create(POD.replace("labels:", "finalizers: [example.com/cleanup, my-finalizer], labels:"))).isEmpty();
            assertThat(create(POD.replace("labels:", "finalizers: [orphan, foregroundDeletion], labels:")))
                    .extracting(FieldError::detail).containsExactly("finalizer orphan and foregroundDeletion cannot be both set");
        }

        @Test
        void onlyOneOwnerMayBeTheController() {
            String owners = "ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: a, uid: u1, controller: true}, "
                    + "{apiVersion: apps/v1, kind: ReplicaSet, name: b, uid: u2, controller: true}], labels:";
            assertThat(create(POD.replace("labels:", owners))).extracting(FieldError::field).containsExactly("metadata.ownerReferences");
        }

        @Test
        void nameAndUidAreImmutable() {
            String old = POD.replace("labels:", "uid: a1, labels:");
            String renamed = old.replace("name: web,", "name: web2,").replace("uid: a1", "uid: b2");
            assertThat(update(renamed, old)).contains(
                    FieldError.invalid("metadata.name", "web2", "field is immutable"),
                    FieldError.invalid("metadata.uid", "b2", "field is immutable"));
        }
    }

    @Nested
    class Pods {
        @Test
        void acceptsAMinimalPod() {
            assertThat(create(POD)).isEmpty();
        }

        @Test
        void requiresContainers() {
            assertThat(create("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n"))
                    .containsExactly(FieldError.required("spec.containers", ""));
        }

        @Test
        void requiresImage() {
            assertThat(create(POD.replace("image: nginx:1.27", "image: \"\"")))
                    .containsExactly(FieldError.required("spec.containers[0].image", ""));
        }

        @Test
        void rejectsDuplicateContainerNames() {
            String yaml = POD + "  - {name: app, image: busybox:1.36}\n";
            assertThat(create(yaml)).containsExactly(FieldError.duplicate("spec.containers[1].name", "app"));
        }

        @Test
        void rejectsContainerPortOutOfRange() {
            assertThat(rendered(create(POD.replace("containerPort: 80", "containerPort: 70000")))).containsExactly(
                    "spec.containers[0].ports[0].containerPort: Invalid value: \"70000\": must be between 1 and 65535, inclusive");
        }

        @Test
        void rejectsDuplicatePortNames() {
            String yaml = POD.replace("ports: [{name: http, containerPort: 80}]",
                    "ports: [{name: http, containerPort: 80}, {name: http, containerPort: 81}]");
            assertThat(create(yaml)).containsExactly(FieldError.duplicate("spec.containers[0].ports[1].name", "http"));
        }

        @Test
        void rejectsTwoContainersOnTheSameHostPort() {
            String yaml = POD.replace("containerPort: 80}", "containerPort: 80, hostPort: 8080}")
                    + "  - {name: side, image: busybox:1.36, ports: [{containerPort: 81, hostPort: 8080}]}\n";
            assertThat(create(yaml)).containsExactly(FieldError.duplicate("spec.containers[1].ports[0].hostPort", "8080/TCP"));
        }

        @Test
        void rejectsUnsupportedProtocol() {
            assertThat(rendered(create(POD.replace("containerPort: 80", "containerPort: 80, protocol: HTTP")))).containsExactly(
                    "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
        }

        @Test
        void volumeMountsMustReferToVolumes() {
            String yaml = POD + "    volumeMounts: [{name: data, mountPath: /data}]\n";
            assertThat(rendered(create(yaml))).containsExactly("spec.containers[0].volumeMounts[0].name: Not found: \"data\"");
        }

        @Test
        void volumesNeedUniqueNamesAndOneSource() {
            String yaml = POD + """
                      volumes:
                      - {name: a, emptyDir: {}}
                      - {name: a, emptyDir: {}, hostPath: {path: /tmp}}
                    """;
            assertThat(create(yaml)).containsExactly(
                    FieldError.duplicate("spec.volumes[1].name", "a"),
                    FieldError.forbidden("spec.volumes[1].emptyDir", "may not specify more than 1 volume type"));
        }

        @Test
        void requestsMayNotExceedLimits() {
            String yaml = POD + "    resources: {limits: {cpu: 500m}, requests: {cpu: \"1\"}}\n";
            assertThat(rendered(create(yaml))).containsExactly(
                    "spec.containers[0].resources.requests[cpu]: Invalid value: \"1\": must be less than or equal to cpu limit of 500m");
        }

        @Test
        void rejectsMalformedQuantities() {
            String yaml = POD + "    resources: {limits: {cpu: lots}}\n";
            // the pod's requests default to its limits, so the request carries the same error
            assertThat(rendered(create(yaml))).contains("spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": "
                    + "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        }

        @Test
        void rejectsUnknownResourceNames() {
            String yaml = POD + "    resources: {limits: {gpu: \"1\"}}\n";
            assertThat(create(yaml)).contains(
                    FieldError.invalid("spec.containers[0].resources.limits[gpu]", "gpu", "must be a standard resource for containers"));
        }

        @Test
        void initContainersMayNotProbeUnlessSidecars() {
            String yaml = POD.replace("spec:\n", "spec:\n  initContainers:\n  - {name: init, image: busybox:1.36, readinessProbe: {exec: {command: [\"true\"]}}}\n");
            assertThat(create(yaml)).containsExactly(FieldError.forbidden("spec.initContainers[0].readinessProbe",
                    "may not be set for init containers without restartPolicy=Always"));
            assertThat(create(yaml.replace("busybox:1.36,", "busybox:1.36, restartPolicy: Always,"))).isEmpty();
        }

        @Test
        void rejectsUnknownRestartAndDnsPolicies() {
            String yaml = POD.replace("spec:\n", "spec:\n  restartPolicy: Sometimes\n  dnsPolicy: Google\n");
            assertThat(create(yaml)).extracting(FieldError::field, FieldError::type).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("spec.restartPolicy", "FieldValueNotSupported"),
                    org.assertj.core.groups.Tuple.tuple("spec.dnsPolicy", "FieldValueNotSupported"));
        }

        @Test
        void probesNeedExactlyOneHandler() {
            String yaml = POD + "    readinessProbe: {periodSeconds: 5}\n";
            assertThat(create(yaml)).containsExactly(FieldError.required("spec.containers[0].readinessProbe", "must specify a handler type"));
        }

        @Test
        void livenessProbeSuccessThresholdMustBeOne() {
            String yaml = POD + "    livenessProbe: {tcpSocket: {port: http}, successThreshold: 2}\n";
            assertThat(create(yaml)).containsExactly(FieldError.invalid("spec.containers[0].livenessProbe.successThreshold", 2, "must be 1"));
        }

        @Test
        void envNamesMayNotContainEquals() {
            String yaml = POD + "    env: [{name: \"A=B\", value: x}, {name: \"my var\", value: y}]\n";
            assertThat(rendered(create(yaml))).containsExactly("spec.containers[0].env[0].name: Invalid value: \"A=B\": "
                    + "a valid environment variable name must consist only of printable ASCII characters other than '='");
        }

        @Test
        void rejectsUnsupportedFieldRef() {
            String yaml = POD + "    env: [{name: X, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]\n";
            assertThat(create(yaml)).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath");
                assertThat(e.type()).isEqualTo("FieldValueNotSupported");
            });
        }

        @Test
        void tolerationWithoutKeyMustUseExists() {
            String yaml = POD.replace("spec:\n", "spec:\n  tolerations: [{operator: Equal, value: x}]\n");
            assertThat(rendered(create(yaml))).containsExactly("spec.tolerations[0].operator: Invalid value: \"Equal\": "
                    + "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
        }

        @Test
        void nodeAffinityInNeedsValues() {
            String yaml = POD.replace("spec:\n", """
                    spec:
                      affinity:
                        nodeAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In}]}]
                    """);
            assertThat(create(yaml)).containsExactly(FieldError.required(
                    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values",
                    "must be specified when `operator` is 'In' or 'NotIn'"));
        }

        @Test
        void podAffinityNeedsTopologyKey() {
            String yaml = POD.replace("spec:\n", """
                    spec:
                      affinity:
                        podAntiAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: web}}}]
                    """);
            assertThat(create(yaml)).containsExactly(FieldError.required(
                    "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "can not be empty"));
        }

        @Test
        void podUpdateTreatsEmptyListsAsAbsent() {
            io.fabric8.kubernetes.api.model.Pod old = Fixtures.defaulted(POD);
            old.getSpec().setTolerations(new java.util.ArrayList<>());
            io.fabric8.kubernetes.api.model.Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder(old).build();
            pod.getSpec().setTolerations(null);
            pod.getSpec().setVolumes(null);
            assertThat(Fixtures.VALIDATOR.validateUpdate(pod, old)).isEmpty();
        }

        @Test
        void podUpdateMayChangeImages() {
            assertThat(update(POD.replace("nginx:1.27", "nginx:1.28"), POD)).isEmpty();
        }

        @Test
        void podUpdateMayNotChangePorts() {
            assertThat(update(POD.replace("containerPort: 80", "containerPort: 81"), POD)).containsExactly(
                    FieldError.forbidden("spec", PodValidation.POD_UPDATE_MESSAGE));
            assertThat(PodValidation.POD_UPDATE_MESSAGE).startsWith(
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`");
        }

        @Test
        void podUpdateMayAddTolerationsButNotRemoveThem() {
            String old = POD.replace("spec:\n", "spec:\n  tolerations: [{key: a, operator: Exists}]\n");
            String added = POD.replace("spec:\n", "spec:\n  tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]\n");
            assertThat(update(added, old)).isEmpty();
            assertThat(update(POD, old)).contains(
                    FieldError.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
        }

        @Test
        void podUpdateMayOnlyShortenActiveDeadline() {
            String old = POD.replace("spec:\n", "spec:\n  activeDeadlineSeconds: 100\n");
            assertThat(update(POD.replace("spec:\n", "spec:\n  activeDeadlineSeconds: 50\n"), old)).isEmpty();
            assertThat(update(POD.replace("spec:\n", "spec:\n  activeDeadlineSeconds: 200\n"), old)).containsExactly(
                    FieldError.invalid("spec.activeDeadlineSeconds", 200L, "must be less than or equal to previous value"));
        }
    }

    @Nested
    class Services {
        @Test
        void acceptsAClusterIPService() {
            assertThat(create(SERVICE)).isEmpty();
        }

        @Test
        void requiresPortsUnlessHeadless() {
            assertThat(create(SERVICE.replace("  ports: [{name: http, port: 80, targetPort: 8080}]\n", "")))
                    .containsExactly(FieldError.required("spec.ports", ""));
            assertThat(create(SERVICE.replace("  ports: [{name: http, port: 80, targetPort: 8080}]\n", "  clusterIP: None\n")))
                    .isEmpty();
        }

        @Test
        void externalNameServicesNeedNoPorts() {
            assertThat(create("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: db}
                    spec: {type: ExternalName, externalName: db.example.com}
                    """)).isEmpty();
        }

        @Test
        void rejectsPortOutOfRange() {
            assertThat(rendered(create(SERVICE.replace("port: 80,", "port: 0,")))).containsExactly(
                    "spec.ports[0].port: Invalid value: \"0\": must be between 1 and 65535, inclusive");
        }

        @Test
        void multiplePortsNeedNames() {
            String yaml = SERVICE.replace("[{name: http, port: 80, targetPort: 8080}]", "[{port: 80}, {port: 443}]");
            assertThat(create(yaml)).containsExactly(
                    FieldError.required("spec.ports[0].name", ""), FieldError.required("spec.ports[1].name", ""));
        }

        @Test
        void rejectsUnknownType() {
            assertThat(rendered(create(SERVICE.replace("spec:\n", "spec:\n  type: Internal\n")))).containsExactly(
                    "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"");
        }

        @Test
        void nodePortMustBeInTheConfiguredRange() {
            String yaml = SERVICE.replace("spec:\n", "spec:\n  type: NodePort\n").replace("targetPort: 8080", "nodePort: 8080");
            assertThat(rendered(create(yaml))).containsExactly("spec.ports[0].nodePort: Invalid value: \"8080\": "
                    + "provided port is not in the valid range. The range of valid ports is 30000-32767");
            var validator = new Validator(8000, 9000);
            assertThat(validator.validateCreate(Fixtures.defaulted(yaml))).isEmpty();
        }

        @Test
        void clusterIPServicesMayNotSetNodePort() {
            assertThat(create(SERVICE.replace("targetPort: 8080", "nodePort: 30080"))).containsExactly(
                    FieldError.forbidden("spec.ports[0].nodePort", "may not be used when `type` is 'ClusterIP'"));
        }

        @Test
        void clusterIPMayNotChangeOnceSet() {
            String old = SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.43.0.5\n");
            assertThat(update(SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.43.0.6\n"), old)).containsExactly(
                    FieldError.invalid("spec.clusterIPs[0]", "[\"10.43.0.6\"]", "may not change once set"));
        }

        @Test
        void rejectsInvalidSelectorLabels() {
            assertThat(create(SERVICE.replace("{app: web}", "{app: \"-web\"}"))).singleElement()
                    .extracting(FieldError::field).isEqualTo("spec.selector");
        }
    }

    @Nested
    class Workloads {
        @Test
        void acceptsADeployment() {
            assertThat(create(DEPLOYMENT)).isEmpty();
        }

        @Test
        void rejectsNegativeReplicas() {
            assertThat(rendered(create(DEPLOYMENT.replace("replicas: 2", "replicas: -1")))).containsExactly(
                    "spec.replicas: Invalid value: \"-1\": must be greater than or equal to 0");
        }

        @Test
        void selectorMustMatchTemplateLabels() {
            assertThat(rendered(create(DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}")))).containsExactly(
                    "spec.template.metadata.labels: Invalid value: \"map[string]string{\"app\":\"api\"}\": `selector` does not match template `labels`");
        }

        @Test
        void requiresSelector() {
            assertThat(create(DEPLOYMENT.replace("  selector: {matchLabels: {app: web}}\n", "")))
                    .containsExactly(FieldError.required("spec.selector", ""));
        }

        @Test
        void rejectsEmptySelector() {
            assertThat(create(DEPLOYMENT.replace("selector: {matchLabels: {app: web}}", "selector: {}")))
                    .extracting(FieldError::detail).containsExactly("empty selector is invalid for deployment");
        }

        @Test
        void maxSurgeAndMaxUnavailableMayNotBothBeZero() {
            String yaml = DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}");
            assertThat(rendered(create(yaml))).containsExactly(
                    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0\": may not be 0 when `maxSurge` is 0");
        }

        @Test
        void recreateStrategyMayNotHaveRollingUpdate() {
            String yaml = DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}");
            assertThat(create(yaml)).containsExactly(FieldError.forbidden("spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'"));
        }

        @Test
        void rejectsPercentOver100() {
            String yaml = DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxUnavailable: 150%}}");
            assertThat(create(yaml)).extracting(FieldError::detail).containsExactly("must not be greater than 100%");
        }

        @Test
        void deploymentTemplatesMustRestartAlways() {
            String yaml = DEPLOYMENT.replace("      containers:", "      restartPolicy: Never\n      containers:");
            assertThat(rendered(create(yaml))).containsExactly(
                    "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"");
        }

        @Test
        void deploymentSelectorIsImmutable() {
            String changed = DEPLOYMENT.replace("{app: web}", "{app: web2}");
            assertThat(rendered(update(changed, DEPLOYMENT))).containsExactly(
                    "spec.selector: Invalid value: \"v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
                            + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}\": field is immutable");
        }

        @Test
        void replicationControllerSelectorMustMatchTemplate() {
            assertThat(rendered(create("""
                    apiVersion: v1
                    kind: ReplicationController
                    metadata: {name: web}
                    spec:
                      selector: {app: web}
                      template:
                        metadata: {labels: {app: api}}
                        spec: {containers: [{name: app, image: nginx:1.27}]}
                    """))).containsExactly(
                    "spec.template.metadata.labels: Invalid value: \"map[string]string{\"app\":\"api\"}\": `selector` does not match template `labels`");
        }

        @Test
        void daemonSetRollingUpdateMayNotBeAllZero() {
            String yaml = DEPLOYMENT.replace("kind: Deployment", "kind: DaemonSet").replace("  replicas: 2\n",
                    "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 0}}\n");
            assertThat(rendered(create(yaml))).containsExactly(
                    "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"0\": cannot be 0 when maxSurge is 0");
        }

        @Test
        void statefulSetMountsItsClaimTemplates() {
            String yaml = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet")
                    .replace("image: nginx:1.27}", "image: nginx:1.27, volumeMounts: [{name: data, mountPath: /data}]}")
                    + "  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";
            assertThat(create(yaml)).isEmpty();
        }

        @Test
        void statefulSetUpdateMayOnlyChangeSomeFields() {
            String sts = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet");
            assertThat(update(sts.replace("replicas: 2", "replicas: 3"), sts)).isEmpty();
            assertThat(update(sts.replace("replicas: 2", "replicas: 2\n  podManagementPolicy: Parallel"), sts))
                    .containsExactly(FieldError.forbidden("spec", AppsValidation.STS_UPDATE_MESSAGE));
        }
    }

    @Nested
    class Batch {
        static final String JOB = """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: pi, uid: 9d6a1b1c-0000-0000-0000-000000000001}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: pi, image: perl:5.34}]
                """;

        @Test
        void acceptsAJobWithGeneratedSelector() {
            assertThat(create(JOB)).isEmpty();
        }

        @Test
        void jobTemplatesMayNotRestartAlways() {
            assertThat(rendered(create(JOB.replace("restartPolicy: Never", "restartPolicy: Always")))).containsExactly(
                    "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
        }

        @Test
        void rejectsNegativeParallelism() {
            assertThat(rendered(create(JOB.replace("  template:", "  parallelism: -1\n  template:")))).containsExactly(
                    "spec.parallelism: Invalid value: \"-1\": must be greater than or equal to 0");
        }

        @Test
        void jobTemplateIsImmutable() {
            assertThat(update(JOB.replace("perl:5.34", "perl:5.36"), JOB)).extracting(FieldError::field, FieldError::detail)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("spec.template", "field is immutable"));
        }

        @Test
        void suspendedJobMayChangeSchedulingDirectives() {
            String old = JOB.replace("  template:", "  suspend: true\n  template:");
            String moved = old.replace("      restartPolicy: Never", "      restartPolicy: Never\n      nodeSelector: {zone: a}");
            assertThat(update(moved, old)).isEmpty();
        }

        static final String CRON = """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: hello}
                spec:
                  schedule: "*/5 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: hello, image: busybox:1.28}]
                """;

        @Test
        void acceptsStandardCronAndMacros() {
            assertThat(create(CRON)).isEmpty();
            assertThat(create(CRON.replace("*/5 * * * *", "@hourly"))).isEmpty();
            assertThat(create(CRON.replace("*/5 * * * *", "0 9 * jan-mar mon-fri"))).isEmpty();
        }

        @Test
        void rejectsUnparsableSchedule() {
            assertThat(rendered(create(CRON.replace("*/5 * * * *", "every minute")))).containsExactly(
                    "spec.schedule: Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]");
            assertThat(rendered(create(CRON.replace("*/5 * * * *", "61 * * * *")))).containsExactly(
                    "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
        }

        @Test
        void rejectsTimeZoneInSchedule() {
            assertThat(create(CRON.replace("*/5 * * * *", "TZ=UTC 0 * * * *"))).extracting(FieldError::detail)
                    .containsExactly("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
        }

        @Test
        void rejectsUnknownTimeZone() {
            assertThat(rendered(create(CRON.replace("  jobTemplate:", "  timeZone: Mars/Olympus\n  jobTemplate:")))).containsExactly(
                    "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus");
            assertThat(create(CRON.replace("  jobTemplate:", "  timeZone: Europe/Paris\n  jobTemplate:"))).isEmpty();
        }

        @Test
        void cronJobNamesAreLimitedTo52Characters() {
            assertThat(rendered(create(CRON.replace("name: hello", "name: " + "a".repeat(53))))).containsExactly(
                    "metadata.name: Invalid value: \"" + "a".repeat(53) + "\": must be no more than 52 characters");
        }
    }

    @Nested
    class ConfigAndSecrets {
        @Test
        void rejectsInvalidConfigMapKeys() {
            assertThat(create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a b\": x}\n"))
                    .singleElement().satisfies(e -> {
                        assertThat(e.field()).isEqualTo("data[a b]");
                        assertThat(e.detail()).startsWith("a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
                    });
        }

        @Test
        void rejectsConfigMapsOverOneMebibyte() {
            String big = "x".repeat(1024 * 1024 + 1);
            assertThat(create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: " + big + "}\n"))
                    .containsExactly(FieldError.tooLong("[]", "", 1024 * 1024));
        }

        @Test
        void immutableConfigMapDataMayNotChange() {
            String old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {k: a}\n";
            assertThat(update(old.replace("k: a", "k: b"), old)).containsExactly(
                    FieldError.forbidden("data", "field is immutable when `immutable` is set"));
        }

        @Test
        void tlsSecretsNeedCertAndKey() {
            assertThat(create("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}\n"))
                    .containsExactly(FieldError.required("data[tls.key]", ""));
        }

        @Test
        void basicAuthSecretsNeedUsernameOrPassword() {
            assertThat(create("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/basic-auth\n"))
                    .containsExactly(FieldError.required("data[username]", ""), FieldError.required("data[password]", ""));
        }

        @Test
        void dockerConfigJsonSecretsMustHoldJson() {
            String notJson = java.util.Base64.getEncoder().encodeToString("nope".getBytes());
            assertThat(create("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\n"
                    + "data: {.dockerconfigjson: " + notJson + "}\n")).extracting(FieldError::field)
                    .containsExactly("data[.dockerconfigjson]");
            assertThat(create("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\n"))
                    .containsExactly(FieldError.required("data[.dockerconfigjson]", ""));
        }

        @Test
        void serviceAccountTokenSecretsNeedTheAccountName() {
            assertThat(create("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/service-account-token\n"))
                    .containsExactly(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]", ""));
        }

        @Test
        void secretTypeIsImmutable() {
            String old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {username: eA==}\n";
            assertThat(update(old.replace("\ndata:", "\ntype: kubernetes.io/basic-auth\ndata:"), old)).containsExactly(
                    FieldError.invalid("type", "kubernetes.io/basic-auth", "field is immutable"));
        }
    }

    @Nested
    class Storage {
        static final String PVC = """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                """;

        @Test
        void acceptsAClaim() {
            assertThat(create(PVC)).isEmpty();
        }

        @Test
        void claimsNeedAccessModesAndStorage() {
            assertThat(create("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {}\n")).containsExactly(
                    FieldError.required("spec.accessModes", "at least 1 access mode is required"),
                    FieldError.required("spec.resources[storage]", ""));
        }

        @Test
        void rejectsUnknownAccessMode() {
            assertThat(create(PVC.replace("ReadWriteOnce", "ReadWriteSometimes"))).extracting(FieldError::type)
                    .containsExactly("FieldValueNotSupported");
        }

        @Test
        void boundClaimsMayGrowButNotShrink() {
            String bound = PVC + "status: {phase: Bound}\n";
            assertThat(update(bound.replace("1Gi", "2Gi"), bound)).isEmpty();
            assertThat(update(bound.replace("1Gi", "500Mi"), bound)).containsExactly(
                    FieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        }

        @Test
        void claimSpecIsOtherwiseImmutable() {
            assertThat(update(PVC.replace("ReadWriteOnce", "ReadWriteMany"), PVC)).extracting(FieldError::field)
                    .containsExactly("spec");
        }

        @Test
        void volumesNeedCapacityAndASource() {
            assertThat(create("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec: {accessModes: [ReadWriteOnce]}\n"))
                    .containsExactly(FieldError.required("spec.capacity", ""), FieldError.required("spec", "must specify a volume type"));
        }

        @Test
        void storageClassNeedsProvisionerAndKnownBindingMode() {
            assertThat(rendered(create("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nvolumeBindingMode: Later\n")))
                    .containsExactly("provisioner: Required value",
                            "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"");
        }

        @Test
        void storageClassParametersAreImmutable() {
            String old = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: x.io/p\nparameters: {a: b}\n";
            assertThat(update(old.replace("a: b", "a: c"), old)).containsExactly(
                    FieldError.forbidden("parameters", "updates to parameters are forbidden."));
        }
    }

    @Nested
    class Networking {
        static final String INGRESS = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  rules:
                  - host: web.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend: {service: {name: web, port: {number: 80}}}
                """;

        @Test
        void acceptsAnIngress() {
            assertThat(create(INGRESS)).isEmpty();
        }

        @Test
        void pathTypeIsRequired() {
            assertThat(create(INGRESS.replace("        pathType: Prefix\n", ""))).containsExactly(
                    FieldError.required("spec.rules[0].http.paths[0].pathType", "pathType must be specified"));
        }

        @Test
        void prefixPathsMustBeAbsolute() {
            assertThat(rendered(create(INGRESS.replace("path: /", "path: api")))).containsExactly(
                    "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path");
        }

        @Test
        void backendNeedsPort() {
            assertThat(create(INGRESS.replace(", port: {number: 80}", ""))).containsExactly(
                    FieldError.required("spec.rules[0].http.paths[0].backend.service.port", "port name or number is required"));
        }

        @Test
        void hostsMayNotBeIPs() {
            assertThat(rendered(create(INGRESS.replace("web.example.com", "10.0.0.1")))).containsExactly(
                    "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address");
        }

        @Test
        void networkPolicyPeersNeedOneKind() {
            String yaml = """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: np}
                    spec:
                      podSelector: {}
                      ingress:
                      - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/33}}]
                    """;
            assertThat(rendered(create(yaml))).containsExactly(
                    "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
                    "spec.ingress[0].from[1].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        }

        @Test
        void endpointSliceAddressesMatchTheirType() {
            String yaml = """
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: web-abc}
                    addressType: IPv4
                    endpoints: [{addresses: ["fd00::1"]}]
                    ports: [{port: 80}]
                    """;
            assertThat(rendered(create(yaml))).containsExactly(
                    "endpoints[0].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address");
        }
    }

    @Nested
    class ClusterKinds {
        @Test
        void roleRulesNeedVerbs() {
            assertThat(create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: r}
                    rules: [{apiGroups: [""], resources: [pods]}]
                    """)).containsExactly(FieldError.required("rules[0].verbs", "verbs must contain at least one value"));
        }

        @Test
        void namespacedRulesCannotNameUrls() {
            assertThat(create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: r}
                    rules: [{nonResourceURLs: [/healthz], verbs: [get]}]
                    """)).extracting(FieldError::detail).containsExactly("namespaced rules cannot apply to non-resource URLs");
        }

        @Test
        void roleBindingRoleRefIsImmutable() {
            String rb = """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: rb}
                    roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
                    subjects: [{kind: User, name: jane}]
                    """;
            assertThat(create(rb)).isEmpty();
            assertThat(update(rb.replace("name: reader", "name: writer"), rb)).extracting(FieldError::detail)
                    .containsExactly("cannot change roleRef");
        }

        @Test
        void clusterRoleBindingServiceAccountsNeedNamespace() {
            assertThat(create("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: crb}
                    roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
                    subjects: [{kind: ServiceAccount, name: default}]
                    """)).containsExactly(FieldError.required("subjects[0].namespace", ""));
        }

        static final String HPA = """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 5
                """;

        @Test
        void hpaMaxReplicasMustReachMinReplicas() {
            assertThat(create(HPA)).isEmpty();
            assertThat(rendered(create(HPA.replace("maxReplicas: 5", "maxReplicas: 1")))).containsExactly(
                    "spec.maxReplicas: Invalid value: \"1\": must be greater than or equal to `minReplicas`");
            assertThat(rendered(create(HPA.replace("minReplicas: 2", "minReplicas: 0")))).containsExactly(
                    "spec.minReplicas: Invalid value: \"0\": must be greater than or equal to 1");
        }

        @Test
        void pdbTakesMinAvailableOrMaxUnavailableNotBoth() {
            String pdb = """
                    apiVersion: policy/v1
                    kind: PodDisruptionBudget
                    metadata: {name: p}
                    spec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: web}}}
                    """;
            assertThat(create(pdb)).extracting(FieldError::field, FieldError::detail).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("spec", "minAvailable and maxUnavailable cannot be both set"));
        }

        @Test
        void priorityClassValuesAreCappedForUsers() {
            String pc = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 2000000000\n";
            assertThat(create(pc)).containsExactly(
                    FieldError.forbidden("value", "maximum allowed value of a user defined priority is 1000000000"));
            String ok = pc.replace("2000000000", "1000");
            assertThat(update(ok.replace("1000", "2000"), ok)).containsExactly(
                    FieldError.forbidden("value", "may not be changed in an update."));
        }

        @Test
        void leaseDurationMustBePositive() {
            assertThat(rendered(create("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: n1}\nspec: {leaseDurationSeconds: 0}\n")))
                    .containsExactly("spec.leaseDurationSeconds: Invalid value: \"0\": must be greater than 0");
        }

        @Test
        void csrRequestMustBeAPemCertificateRequest() {
            String notPem = java.util.Base64.getEncoder().encodeToString("hello".getBytes());
            assertThat(create("apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: c}\n"
                    + "spec: {request: " + notPem + ", signerName: kubernetes.io/kube-apiserver-client, usages: [client auth]}\n"))
                    .extracting(FieldError::field, FieldError::detail).containsExactly(
                            org.assertj.core.groups.Tuple.tuple("spec.request", "PEM block type must be CERTIFICATE REQUEST"));
        }

        @Test
        void csrWithARealCertificateRequestIsValid() throws Exception {
            var keys = java.security.KeyPairGenerator.getInstance("EC");
            keys.initialize(256);
            var pair = keys.generateKeyPair();
            var request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                    new org.bouncycastle.asn1.x500.X500Name("CN=jane,O=dev"), pair.getPublic())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            var pem = new java.io.StringWriter();
            try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(pem)) {
                writer.writeObject(request);
            }
            String base64 = java.util.Base64.getEncoder().encodeToString(pem.toString().getBytes());
            assertThat(create("apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: jane}\n"
                    + "spec: {request: " + base64 + ", signerName: kubernetes.io/kube-apiserver-client, usages: [client auth]}\n"))
                    .isEmpty();
        }

        @Test
        void resourceQuotaRejectsNegativeQuantities() {
            assertThat(rendered(create("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {pods: \"-1\"}}\n")))
                    .containsExactly("spec.hard[pods]: Invalid value: \"-1\": must be greater than or equal to 0");
        }

        @Test
        void limitRangeMinMayNotExceedMax() {
            assertThat(create("""
                    apiVersion: v1
                    kind: LimitRange
                    metadata: {name: l}
                    spec: {limits: [{type: Container, min: {cpu: "1"}, max: {cpu: 500m}}]}
                    """)).extracting(FieldError::field, FieldError::detail).contains(
                    org.assertj.core.groups.Tuple.tuple("spec.limits[0].min[cpu]", "min value 1 is greater than max value 500m"));
        }

        @Test
        void nodeTaintsNeedAKnownEffect() {
            assertThat(rendered(create("apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec: {taints: [{key: a, effect: Sometimes}]}\n")))
                    .containsExactly("spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoExecute\", \"NoSchedule\", \"PreferNoSchedule\"");
        }

        @Test
        void nodePodCidrMayNotChangeOnceSet() {
            String node = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec: {podCIDRs: [10.42.1.0/24]}\n";
            assertThat(update(node.replace("10.42.1.0", "10.42.2.0"), node)).containsExactly(
                    FieldError.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
    }

    @Test
    void refusesToCompareDifferentKinds() {
        assertThatThrownBy(() -> Fixtures.VALIDATOR.validateUpdate(Fixtures.defaulted(POD), Fixtures.defaulted(SERVICE)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void returnsEveryBrokenRuleAtOnce() {
        String yaml = DEPLOYMENT.replace("replicas: 2", "replicas: -1").replace("name: app, image: nginx:1.27", "name: App, image: \"\"");
        List<String> fields = create(yaml).stream().map(FieldError::field).toList();
        assertThat(fields).containsExactly("spec.replicas", "spec.template.spec.containers[0].name", "spec.template.spec.containers[0].image");
    }
}
