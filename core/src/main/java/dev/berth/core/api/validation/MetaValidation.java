package dev.berth.core.api.validation;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

import java.util.List;
import java.util.function.Function;

import static dev.berth.core.api.validation.Check.isEmpty;
import static dev.berth.core.api.validation.Check.list;

/** ObjectMeta: name, generateName, labels, annotations, owner references, finalizers; and its update rules. */
final class MetaValidation {
    private MetaValidation() {}

    /** How a kind's names are checked. */
    enum NameRule {
        DNS1123_SUBDOMAIN(Names::dns1123Subdomain),
        DNS1123_LABEL(Names::dns1123Label),
        DNS1035_LABEL(Names::dns1035Label),
        PATH_SEGMENT(Names::pathSegmentName);

        final Function<String, List<String>> check;

        NameRule(Function<String, List<String>> check) {
            this.check = check;
        }
    }

    static void objectMeta(List<FieldError> errs, ObjectMeta meta, NameRule rule, String path) {
        if (meta == null) {
            errs.add(FieldError.required(path + ".name", "name or generateName is required"));
            return;
        }
        if (!isEmpty(meta.getGenerateName())) {
            // generateName is a prefix: a trailing dash is fine because a suffix follows it
            String masked = maskTrailingDash(meta.getGenerateName());
            Check.each(errs, path + ".generateName", meta.getGenerateName(), rule.check.apply(masked));
        }
        if (isEmpty(meta.getName())) {
            if (isEmpty(meta.getGenerateName())) {
                errs.add(FieldError.required(path + ".name", "name or generateName is required"));
            }
        } else {
            Check.each(errs, path + ".name", meta.getName(), rule.check.apply(meta.getName()));
        }
        if (!isEmpty(meta.getNamespace())) {
            Check.each(errs, path + ".namespace", meta.getNamespace(), Names.dns1123Label(meta.getNamespace()));
        }
        errs.addAll(Labels.validate(meta.getLabels(), path + ".labels"));
        errs.addAll(Labels.validateAnnotations(meta.getAnnotations(), path + ".annotations"));
        List<OwnerReference> owners = list(meta.getOwnerReferences());
        int controllers = 0;
        for (int i = 0; i < owners.size(); i++) {
            OwnerReference o = owners.get(i);
            String p = path + ".ownerReferences[" + i + "]";
            if (isEmpty(o.getApiVersion())) errs.add(FieldError.invalid(p + ".apiVersion", o.getApiVersion(), "version must not be empty"));
            if (isEmpty(o.getKind())) errs.add(FieldError.invalid(p + ".kind", o.getKind(), "kind must not be empty"));
            if (isEmpty(o.getName())) errs.add(FieldError.invalid(p + ".name", o.getName(), "name must not be empty"));
            if (isEmpty(o.getUid())) errs.add(FieldError.invalid(p + ".uid", o.getUid(), "uid must not be empty"));
            if (Boolean.TRUE.equals(o.getController())) controllers++;
        }
        if (controllers > 1) {
            errs.add(FieldError.invalid(path + ".ownerReferences", Check.render(owners.stream().map(OwnerReference::getName).toList()),
                    "Only one reference can have Controller set to true. Found \"true\" in references for "
                            + String.join(" and ", owners.stream().filter(o -> Boolean.TRUE.equals(o.getController()))
                            .map(o -> o.getKind() + "/" + o.getName()).toList())));
        }
        // metadata finalizers need only be qualified names (unqualified ones get a warning in Kubernetes)
        List<String> finalizers = list(meta.getFinalizers());
        for (String f : finalizers) {
            Check.each(errs, path + ".finalizers", f, Names.qualifiedName(f));
        }
        if (finalizers.contains("orphan") && finalizers.contains("foregroundDeletion")) {
            errs.add(FieldError.invalid(path + ".finalizers", Check.render(finalizers),
                    "finalizer orphan and foregroundDeletion cannot be both set"));
        }
    }

    static void objectMetaUpdate(List<FieldError> errs, ObjectMeta meta, ObjectMeta old, String path) {
        if (meta == null || old == null) return;
        Check.immutable(errs, path + ".name", meta.getName(), old.getName());
        Check.immutable(errs, path + ".namespace", emptyToNull(meta.getNamespace()), emptyToNull(old.getNamespace()));
        if (!isEmpty(old.getUid())) Check.immutable(errs, path + ".uid", meta.getUid(), old.getUid());
        if (!isEmpty(old.getCreationTimestamp())) {
            Check.immutable(errs, path + ".creationTimestamp", meta.getCreationTimestamp(), old.getCreationTimestamp());
        }
        if (!isEmpty(old.getDeletionTimestamp())) {
            Check.immutable(errs, path + ".deletionTimestamp", meta.getDeletionTimestamp(), old.getDeletionTimestamp());
        }
        if (old.getDeletionGracePeriodSeconds() != null) {
            Check.immutable(errs, path + ".deletionGracePeriodSeconds", meta.getDeletionGracePeriodSeconds(),
                    old.getDeletionGracePeriodSeconds());
        }
        if (!isEmpty(old.getDeletionTimestamp()) && list(meta.getFinalizers()).size() > 0) {
            for (String f : list(meta.getFinalizers())) {
                if (!list(old.getFinalizers()).contains(f)) {
                    errs.add(FieldError.forbidden(path + ".finalizers",
                            "no new finalizers can be added if the object is being deleted, found new finalizers [\"" + f + "\"]"));
                }
            }
        }
    }

    private static String emptyToNull(String s) {
        return isEmpty(s) ? null : s;
    }

    static String maskTrailingDash(String name) {
        if (name.length() > 1 && name.endsWith("-")) return name.substring(0, name.length() - 1) + "a";
        return name;
    }
}
