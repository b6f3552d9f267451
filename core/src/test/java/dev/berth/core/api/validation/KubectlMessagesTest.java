package dev.berth.core.api.validation;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a kubectl user reads when the server rejects an invalid object of each main kind: the
 * 422 message built from the FieldErrors, as {@code kubectl apply} prints it after "Error from server (Invalid):".
 */
class KubectlMessagesTest {

    private static String rejection(String group, String yaml) {
        HasMetadata obj = Fixtures.defaulted(yaml);
        List<FieldError> errs = Fixtures.VALIDATOR.validateCreate(obj);
        assertThat(errs).isNotEmpty();
        ApiException e = Validator.invalid(obj, errs);
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.group()).isEqualTo(group);
        assertThat(e.causes()).isEqualTo(errs);
        return e.getMessage();
    }

    @Test
    void podWithoutImage() {
        assertThat(rejection("", """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec: {containers: [{name: web}]}
                """)).isEqualTo("Pod \"web\" is invalid: spec.containers[0].image: Required value");
    }

    @Test
    void podWithUppercaseContainerName() {
        assertThat(rejection("", """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec: {containers: [{name: Web, image: nginx}]}
                """)).isEqualTo("Pod \"web\" is invalid: spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 "
                + "label must consist of lower case alphanumeric characters or '-', and must start and end with an "
                + "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    }

    @Test
    void deploymentWhoseSelectorMissesItsPods() {
        assertThat(rejection("apps", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: webapp}}
                    spec: {containers: [{name: web, image: nginx}]}
                """)).isEqualTo("Deployment \"web\" is invalid: spec.template.metadata.labels: Invalid value: "
                + "\"map[string]string{\"app\":\"webapp\"}\": `selector` does not match template `labels`");
    }

    @Test
    void serviceWithTwoUnnamedPorts() {
        assertThat(rejection("", """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {selector: {app: web}, ports: [{port: 80}, {port: 443}]}
                """)).isEqualTo("Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]");
    }

    @Test
    void statefulSetWithNegativeReplicas() {
        assertThat(rejection("apps", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  replicas: -2
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: postgres:16}]}
                """)).isEqualTo("StatefulSet \"db\" is invalid: spec.replicas: Invalid value: \"-2\": must be greater than or equal to 0");
    }

    @Test
    void daemonSetWithoutSelector() {
        assertThat(rejection("apps", """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  template:
                    metadata: {labels: {app: agent}}
                    spec: {containers: [{name: agent, image: fluentd:v1}]}
                """)).isEqualTo("DaemonSet \"agent\" is invalid: spec.selector: Required value");
    }

    @Test
    void jobThatRestartsAlways() {
        assertThat(rejection("batch", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: pi, uid: 7f6c8a90-0000-0000-0000-000000000002}
                spec:
                  template:
                    spec: {restartPolicy: Always, containers: [{name: pi, image: perl:5.34}]}
                """)).isEqualTo("Job \"pi\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": "
                + "supported values: \"OnFailure\", \"Never\"");
    }

    @Test
    void cronJobWithBadSchedule() {
        assertThat(rejection("batch", """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: hello}
                spec:
                  schedule: "* * *"
                  jobTemplate:
                    spec:
                      template:
                        spec: {restartPolicy: OnFailure, containers: [{name: hello, image: busybox:1.28}]}
                """)).isEqualTo("CronJob \"hello\" is invalid: spec.schedule: Invalid value: \"* * *\": "
                + "expected exactly 5 fields, found 3: [* * *]");
    }

    @Test
    void configMapWithSpaceInKey() {
        assertThat(rejection("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {\"my key\": v}\n"))
                .isEqualTo("ConfigMap \"cfg\" is invalid: data[my key]: Invalid value: \"my key\": a valid config key must "
                        + "consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                        + "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    }

    @Test
    void ingressPathWithoutPathType() {
        assertThat(rejection("networking.k8s.io", """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  rules:
                  - http:
                      paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]
                """)).isEqualTo("Ingress \"web\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");
    }

    @Test
    void claimWithoutStorageRequest() {
        assertThat(rejection("", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce]}
                """)).isEqualTo("PersistentVolumeClaim \"data\" is invalid: spec.resources[storage]: Required value");
    }

    @Test
    void namespaceWithDots() {
        assertThat(rejection("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: team.dev}\n"))
                .startsWith("Namespace \"team.dev\" is invalid: metadata.name: Invalid value: \"team.dev\": a lowercase RFC 1123 label");
    }

    @Test
    void hpaWithMaxBelowMin() {
        assertThat(rejection("autoscaling", """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 3
                  maxReplicas: 2
                """)).isEqualTo("HorizontalPodAutoscaler \"web\" is invalid: spec.maxReplicas: Invalid value: \"2\": "
                + "must be greater than or equal to `minReplicas`");
    }
}
