package dev.berth.core.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.AdmissionRequest;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.apiserver.table.TableConvertors;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Admission of CustomResourceDefinitions (defaults, the cleanup finalizer, validation) and of
 * custom resources (metadata rules and the version's schema).
 */
public final class CustomResourceAdmission implements AdmissionPlugin {
    private static final String GROUP = "apiextensions.k8s.io";
    private static final Pattern DNS1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern KIND = Pattern.compile("^[A-Za-z][A-Za-z0-9]*$");
    private final CustomResources catalog;

    public CustomResourceAdmission(CustomResources catalog) {
        this.catalog = catalog;
    }

    private static boolean isCrd(ResourceType t) {
        return t.group().equals(GROUP) && t.resource().equals("customresourcedefinitions");
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (!isCrd(r.type()) || r.operation() == AdmissionRequest.Operation.DELETE
                || !(r.object() instanceof CustomResourceDefinition crd) || crd.getSpec() == null) {
            return;
        }
        var spec = crd.getSpec();
        if (spec.getNames() != null && spec.getNames().getKind() != null) {
            if (spec.getNames().getSingular() == null || spec.getNames().getSingular().isEmpty()) {
                spec.getNames().setSingular(spec.getNames().getKind().toLowerCase(Locale.ROOT));
            }
            if (spec.getNames().getListKind() == null || spec.getNames().getListKind().isEmpty()) {
                spec.getNames().setListKind(spec.getNames().getKind() + "List");
            }
        }
        if (spec.getConversion() == null) {
            spec.setConversion(new CustomResourceConversion("None", null));
        }
        if (r.operation() == AdmissionRequest.Operation.CREATE) {
            List<String> finalizers = crd.getMetadata().getFinalizers() == null ? new ArrayList<>()
                    : new ArrayList<>(crd.getMetadata().getFinalizers());
            if (!finalizers.contains(CustomResourceDefinitions.CLEANUP_FINALIZER)) {
                finalizers.add(CustomResourceDefinitions.CLEANUP_FINALIZER);
            }
            crd.getMetadata().setFinalizers(finalizers);
        }
    }

    @Override
    public void validate(AdmissionRequest r) {
        if (r.operation() == AdmissionRequest.Operation.DELETE || r.object() == null) {
            return;
        }
        if (isCrd(r.type())) {
            ObjectNode crd = Json.tree(r.object());
            List<FieldError> errors = validateDefinition(crd);
            if (r.old() != null && errors.isEmpty()) {
                ObjectNode old = Json.tree(r.old());
                for (String f : List.of("group", "scope")) {
                    if (!old.path("spec").path(f).equals(crd.path("spec").path(f))) {
                        errors.add(FieldError.invalid("spec." + f, crd.path("spec").path(f).asText(),
                                "field is immutable"));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(GROUP, "CustomResourceDefinition", r.object().getMetadata().getName(), errors);
            }
            return;
        }
        if (!r.type().isCustom()) {
            return;
        }
        CustomResources.ServedVersion served = catalog.find(r.type());
        if (served == null) {
            return;
        }
        String name = r.object().getMetadata().getName();
        if (r.operation() == AdmissionRequest.Operation.CREATE && served.terminating()) {
            throw ApiException.methodNotAllowed("create not allowed while custom resource definition is terminating");
        }
        List<FieldError> errors = new ArrayList<>();
        if (name != null && !StructuralSchema.isDns1123Subdomain(name)) {
            errors.add(FieldError.invalid("metadata.name", name, "a lowercase RFC 1123 subdomain must consist of lower "
                    + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
                    + "(e.g. 'example.com', regex used for validation is "
                    + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
        if (served.schema() != null) {
            errors.addAll(served.schema().validate(Json.tree(r.object())));
        }
        if (!errors.isEmpty()) {
            throw invalid(r.type().group(), r.type().kind(), name, errors);
        }
    }

    /** Kubernetes' form: {@code Widget.example.com "w" is invalid: spec.size: ...}. */
    static ApiException invalid(String group, String kind, String name, List<FieldError> causes) {
        ApiException plain = ApiException.invalid(group, kind, name, causes);
        String qualified = group.isEmpty() ? kind : kind + "." + group;
        return new ApiException(422, "Invalid", qualified + plain.getMessage().substring(kind.length()), group, kind,
                name, causes, null);
    }

    /** The rules a CRD must follow to be served. */
    static List<FieldError> validateDefinition(JsonNode crd) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode spec = crd.path("spec");
        String name = crd.path("metadata").path("name").asText("");
        String group = spec.path("group").asText("");
        JsonNode names = spec.path("names");
        String plural = names.path("plural").asText("");
        String kind = names.path("kind").asText("");
        if (group.isEmpty()) {
            errors.add(FieldError.required("spec.group", ""));
        } else if (!group.contains(".") || !StructuralSchema.isDns1123Subdomain(group)) {
            errors.add(FieldError.invalid("spec.group", group, "should be a domain with at least one dot"));
        }
        if (plural.isEmpty()) {
            errors.add(FieldError.required("spec.names.plural", ""));
        } else if (!DNS1035_LABEL.matcher(plural).matches()) {
            errors.add(FieldError.invalid("spec.names.plural", plural, "a lowercase RFC 1035 label must consist of "
                    + "lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
                    + "alphanumeric character"));
        }
        String singular = names.path("singular").asText("");
        if (!singular.isEmpty() && !DNS1035_LABEL.matcher(singular).matches()) {
            errors.add(FieldError.invalid("spec.names.singular", singular, "a lowercase RFC 1035 label must consist "
                    + "of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
                    + "alphanumeric character"));
        }
        if (kind.isEmpty()) {
            errors.add(FieldError.required("spec.names.kind", ""));
        } else if (!KIND.matcher(kind).matches()) {
            errors.add(FieldError.invalid("spec.names.kind", kind, "may have mixed case, but should otherwise match: "
                    + "[a-z]([-a-z0-9]*[a-z0-9])?"));
        }
        for (JsonNode sn : names.path("shortNames")) {
            if (!DNS1035_LABEL.matcher(sn.asText()).matches()) {
                errors.add(FieldError.invalid("spec.names.shortNames", sn.asText(), "must be a lowercase RFC 1035 label"));
            }
        }
        boolean protectedGroup = group.equals("k8s.io") || group.endsWith(".k8s.io") || group.equals("kubernetes.io")
                || group.endsWith(".kubernetes.io");
        if (protectedGroup && crd.path("metadata").path("annotations").path("api-approved.kubernetes.io").asText("")
                .isEmpty()) {
            errors.add(FieldError.required("metadata.annotations[api-approved.kubernetes.io]", "protected groups must "
                    + "have approval annotation \"api-approved.kubernetes.io\", see "
                    + "https://github.com/kubernetes/enhancements/pull/1111"));
        }
        if (!plural.isEmpty() && !group.isEmpty() && !name.equals(plural + "." + group)) {
            errors.add(FieldError.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }
        String scope = spec.path("scope").asText("");
        if (!scope.equals("Namespaced") && !scope.equals("Cluster")) {
            errors.add(scope.isEmpty() ? FieldError.required("spec.scope", "")
                    : FieldError.notSupported("spec.scope", scope, List.of("Cluster", "Namespaced")));
        }
        JsonNode versions = spec.path("versions");
        if (!versions.isArray() || versions.isEmpty()) {
            errors.add(FieldError.invalid("spec.versions", "null", "must have exactly one version marked as storage version"));
            return errors;
        }
        int storageVersions = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < versions.size(); i++) {
            JsonNode v = versions.get(i);
            String path = "spec.versions[" + i + "]";
            String version = v.path("name").asText("");
            if (version.isEmpty()) {
                errors.add(FieldError.required(path + ".name", ""));
            } else if (!DNS1035_LABEL.matcher(version).matches()) {
                errors.add(FieldError.invalid(path + ".name", version, "a DNS-1035 label must consist of lower case "
                        + "alphanumeric characters or '-', start with an alphabetic character, and end with an "
                        + "alphanumeric character"));
            } else if (!seen.add(version)) {
                errors.add(FieldError.duplicate(path + ".name", version));
            }
            if (v.path("storage").asBoolean(false)) {
                storageVersions++;
            }
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            if (schema.isMissingNode() || schema.isNull()) {
                errors.add(FieldError.required(path + ".schema.openAPIV3Schema", "schemas are required"));
            } else {
                errors.addAll(StructuralSchema.structuralErrors(schema, path + ".schema.openAPIV3Schema"));
            }
            JsonNode scale = v.path("subresources").path("scale");
            if (scale.isObject()) {
                String spec1 = scale.path("specReplicasPath").asText("");
                String status1 = scale.path("statusReplicasPath").asText("");
                if (!spec1.startsWith(".spec.")) {
                    errors.add(FieldError.invalid(path + ".subresources.scale.specReplicasPath", spec1,
                            "should be a json path under .spec"));
                }
                if (!status1.startsWith(".status.")) {
                    errors.add(FieldError.invalid(path + ".subresources.scale.statusReplicasPath", status1,
                            "should be a json path under .status"));
                }
                String selector = scale.path("labelSelectorPath").asText("");
                if (!selector.isEmpty() && !selector.startsWith(".spec.") && !selector.startsWith(".status.")) {
                    errors.add(FieldError.invalid(path + ".subresources.scale.labelSelectorPath", selector,
                            "should be a json path under either .spec or .status"));
                }
            }
            int c = 0;
            for (JsonNode col : v.path("additionalPrinterColumns")) {
                String cp = path + ".additionalPrinterColumns[" + c++ + "]";
                if (col.path("name").asText("").isEmpty()) errors.add(FieldError.required(cp + ".name", ""));
                if (col.path("type").asText("").isEmpty()) errors.add(FieldError.required(cp + ".type", ""));
                if (col.path("jsonPath").asText("").isEmpty()) errors.add(FieldError.required(cp + ".jsonPath", ""));
            }
            if (v.path("additionalPrinterColumns").isArray() && errors.isEmpty()) {
                try {
                    TableConvertors.forCustomResource(v.path("additionalPrinterColumns"));
                } catch (ApiException e) {
                    // the printer names the column and the rule: additionalPrinterColumns[0].jsonPath: ...
                    errors.add(FieldError.invalid(path + "." + e.getMessage().split(":")[0],
                            null, e.getMessage().substring(e.getMessage().indexOf(':') + 1).strip()));
                }
            }
        }
        if (storageVersions != 1) {
            errors.add(FieldError.invalid("spec.versions", versionNames(versions),
                    "must have exactly one version marked as storage version"));
        }
        return errors;
    }

    private static String versionNames(JsonNode versions) {
        List<String> l = new ArrayList<>();
        versions.forEach(v -> l.add(v.path("name").asText()));
        return l.toString();
    }
}
