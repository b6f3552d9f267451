package dev.berth.app.topology.compose;

import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;

import java.util.List;
import java.util.Map;

/**
 * A kind dropped from the palette: an empty object of that kind with a free name. A Service starts
 * without selector and ports and an Ingress without rules; drawing their edges fills them in (the
 * dry run lists what is still missing until then).
 */
public final class NewObject implements Command<DraftKey> {
    public static final List<String> KINDS = List.of("Service", "Ingress", "ConfigMap", "Secret", "PersistentVolumeClaim", "Namespace");

    private final String kind;
    private final String namespace;
    private final String name;

    /** @param name the name wanted, or null for one made from the kind */
    public NewObject(String kind, String namespace, String name) {
        this.kind = kind;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public String name() {
        return "New " + kind;
    }

    @Override
    public DraftKey execute(DraftSet drafts) {
        if (!KINDS.contains(kind)) {
            throw new CompositionException(null, FieldError.notSupported("kind", kind, KINDS));
        }
        String ns = kind.equals("Namespace") ? "" : namespace;
        String base = name != null && !name.isBlank() ? name : switch (kind) {
            case "PersistentVolumeClaim" -> "data";
            case "ConfigMap" -> "config";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
        String n = name != null && !name.isBlank() ? name : Names.unique(base, drafts.names(kind, ns));
        if (drafts.names(kind, ns).contains(n)) {
            throw new CompositionException(new DraftKey("", kind, ns, n),
                    FieldError.duplicate("metadata.name", n));
        }
        HasMetadata o = switch (kind) {
            case "Service" -> new ServiceBuilder().withNewMetadata().withName(n).withNamespace(ns).endMetadata()
                    .withNewSpec().withType("ClusterIP").endSpec().build();
            case "Ingress" -> new IngressBuilder().withNewMetadata().withName(n).withNamespace(ns).endMetadata()
                    .withNewSpec().endSpec().build();
            case "ConfigMap" -> new ConfigMapBuilder().withNewMetadata().withName(n).withNamespace(ns).endMetadata()
                    .withData(Map.of()).build();
            case "Secret" -> new SecretBuilder().withNewMetadata().withName(n).withNamespace(ns).endMetadata()
                    .withType("Opaque").build();
            case "PersistentVolumeClaim" -> new PersistentVolumeClaimBuilder().withNewMetadata().withName(n)
                    .withNamespace(ns).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                    .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
                    .endSpec().build();
            default -> new NamespaceBuilder().withNewMetadata().withName(n).endMetadata().build();
        };
        Checks.fields(o, "metadata.name");
        drafts.put(Objects2.generic(o));
        return DraftKey.of(o);
    }
}
