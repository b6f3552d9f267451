package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import java.util.List;
import java.util.Map;

/**
 * An image dropped on empty canvas: a new Deployment draft with one container running it. The
 * name comes from the image ({@code ghcr.io/acme/web:2} gives {@code web}), as a DNS-1123 label
 * not yet used by a Deployment of the namespace (drafts or live); the pods are labelled
 * {@code app=<name>} and the selector matches that label.
 */
public final class NewDeployment implements Command<DraftKey> {
    public static final String APP_LABEL = "app";

    private final String namespace;
    private final String image;

    public NewDeployment(String namespace, String image) {
        this.namespace = namespace;
        this.image = image == null ? "" : image;
    }

    @Override
    public String name() {
        return "New Deployment from " + image;
    }

    @Override
    public DraftKey execute(DraftSet drafts) {
        if (image.isBlank() || !image.equals(image.strip())) {
            throw new CompositionException(null, image.isBlank()
                    ? FieldError.required("spec.template.spec.containers[0].image", "an image is needed")
                    : FieldError.invalid("spec.template.spec.containers[0].image", image,
                            "must not have leading or trailing whitespace"));
        }
        String base = Names.fromImage(image);
        String name = Names.unique(base, drafts.names("Deployment", namespace));
        Deployment d = build(namespace, name, image);
        Checks.fields(d, "metadata.name", "spec.template.spec.containers[0]");
        drafts.put(Objects2.generic(d));
        return DraftKey.of(d);
    }

    static Deployment build(String namespace, String name, String image) {
        Map<String, String> labels = Map.of(APP_LABEL, name);
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                        .withName(Names.fromImage(image)).withImage(image).build()))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
