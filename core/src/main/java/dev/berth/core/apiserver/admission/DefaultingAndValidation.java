package dev.berth.core.apiserver.admission;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.defaulting.Defaulter;
import dev.berth.core.api.validation.Validator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Kubernetes' defaulting and validation of built-in kinds, as the first and last word on a write. */
public final class DefaultingAndValidation implements AdmissionPlugin {
    private final Defaulter defaulter = new Defaulter();
    private final Validator validator;

    public DefaultingAndValidation(int nodePortMin, int nodePortMax) {
        this.validator = new Validator(nodePortMin, nodePortMax);
    }

    @Override
    public void mutate(AdmissionRequest r) {
        HasMetadata obj = r.object();
        if (obj == null || obj instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
            return;
        }
        if (obj instanceof Secret s) {
            mergeStringData(s);
        }
        // spec.finalizers of a namespace is defaulted when it is created only: later writes
        // (the namespace controller's finalize) empty it on purpose
        java.util.List<String> nsFinalizers = obj instanceof io.fabric8.kubernetes.api.model.Namespace ns
                && r.operation() == AdmissionRequest.Operation.UPDATE
                ? (ns.getSpec() == null || ns.getSpec().getFinalizers() == null ? java.util.List.of()
                : java.util.List.copyOf(ns.getSpec().getFinalizers())) : null;
        if (r.operation() == AdmissionRequest.Operation.UPDATE) {
            defaulter.applyUpdate(obj, r.old());
        } else {
            defaulter.apply(obj);
            if (obj instanceof Job job) {
                defaulter.applyJobSelector(job);
            }
        }
        if (nsFinalizers != null) {
            ((io.fabric8.kubernetes.api.model.Namespace) obj).getSpec().setFinalizers(new java.util.ArrayList<>(nsFinalizers));
        }
    }

    /** stringData is write-only: its entries are merged into data (base64) and it is not stored. */
    private static void mergeStringData(Secret s) {
        if (s.getStringData() == null || s.getStringData().isEmpty()) {
            s.setStringData(null);
            return;
        }
        Map<String, String> data = s.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.getData());
        s.getStringData().forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        s.setData(data);
        s.setStringData(null);
    }

    @Override
    public void validate(AdmissionRequest r) {
        HasMetadata obj = r.object();
        if (obj == null || obj instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
            return;
        }
        List<FieldError> errors = r.operation() == AdmissionRequest.Operation.CREATE
                ? validator.validateCreate(obj) : validator.validateUpdate(obj, r.old());
        if (!errors.isEmpty()) {
            throw Validator.invalid(obj, errors);
        }
    }
}
