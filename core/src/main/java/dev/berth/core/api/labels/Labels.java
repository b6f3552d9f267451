package dev.berth.core.api.labels;

import dev.berth.core.api.FieldError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Validation of label and annotation maps, with Kubernetes' field errors. */
public final class Labels {
    private Labels() {}

    /** Label keys and values of {@code metadata.labels}, a nodeSelector or a matchLabels. */
    public static List<FieldError> validate(Map<String, String> labels, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (labels == null) return errs;
        for (var e : new TreeMap<>(labels).entrySet()) {
            errs.addAll(validateKey(e.getKey(), path));
            for (String msg : Names.labelValue(e.getValue() == null ? "" : e.getValue())) {
                errs.add(FieldError.invalid(path, e.getValue(), msg));
            }
        }
        return errs;
    }

    public static List<FieldError> validateKey(String key, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (String msg : Names.qualifiedName(key == null ? "" : key)) {
            errs.add(FieldError.invalid(path, key == null ? "" : key, msg));
        }
        return errs;
    }

    /** Annotation keys (qualified names, compared lower-case) and the 256 KiB total. */
    public static List<FieldError> validateAnnotations(Map<String, String> annotations, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (annotations == null) return errs;
        for (String key : new TreeSet<>(annotations.keySet())) {
            for (String msg : Names.qualifiedName(key.toLowerCase(java.util.Locale.ROOT))) {
                errs.add(FieldError.invalid(path, key, msg));
            }
        }
        if (Names.annotationsSize(annotations) > Names.TOTAL_ANNOTATION_SIZE_LIMIT) {
            errs.add(FieldError.tooLong(path, "", Names.TOTAL_ANNOTATION_SIZE_LIMIT));
        }
        return errs;
    }

}
