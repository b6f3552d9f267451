package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.defaulting.Defaulter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.List;

/** Objects from YAML, defaulted as the server would before validating them. */
final class Fixtures {
    private Fixtures() {}

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Defaulter DEFAULTER = new Defaulter();
    static final Validator VALIDATOR = new Validator();

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T defaulted(String yaml) {
        T obj = (T) SERIALIZATION.unmarshal(yaml);
        DEFAULTER.apply(obj);
        if (obj instanceof Job job && job.getMetadata().getUid() != null) DEFAULTER.applyJobSelector(job);
        return obj;
    }

    static List<FieldError> create(String yaml) {
        return VALIDATOR.validateCreate(defaulted(yaml));
    }

    static List<FieldError> update(String newYaml, String oldYaml) {
        return VALIDATOR.validateUpdate(defaulted(newYaml), defaulted(oldYaml));
    }

    static List<String> rendered(List<FieldError> errs) {
        return errs.stream().map(FieldError::toString).toList();
    }

    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default, labels: {app: web}}
            spec:
              containers:
              - name: app
                image: nginx:1.27
                ports: [{name: http, containerPort: 80}]
            """;

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: app, image: nginx:1.27}]
            """;

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080}]
            """;
}
