package dev.berth.core.api.validation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static dev.berth.core.api.validation.Check.map;

/** ConfigMap and Secret: keys, sizes, secret types, and {@code immutable}. */
final class ConfigValidation {
    private ConfigValidation() {}

    /** 1 MiB: the most data one ConfigMap or Secret may hold. */
    static final int MAX_SIZE = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String IMMUTABLE_SET = "field is immutable when `immutable` is set";

    static void configMap(List<FieldError> errs, ConfigMap cm) {
        long size = 0;
        Set<String> keys = new HashSet<>();
        for (var e : new TreeMap<>(map(cm.getData())).entrySet()) {
            Check.each(errs, "data[" + e.getKey() + "]", e.getKey(), Names.configMapKey(e.getKey()));
            keys.add(e.getKey());
            size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        for (var e : new TreeMap<>(map(cm.getBinaryData())).entrySet()) {
            Check.each(errs, "binaryData[" + e.getKey() + "]", e.getKey(), Names.configMapKey(e.getKey()));
            if (keys.contains(e.getKey())) {
                errs.add(FieldError.invalid("binaryData[" + e.getKey() + "]", e.getKey(), "duplicate of key present in data"));
            }
            size += decodedLength(e.getValue());
        }
        // Kubernetes reports the ConfigMap's total at the empty path, which prints as "[]"
        if (size > MAX_SIZE) errs.add(FieldError.tooLong("[]", "", MAX_SIZE));
    }

    static void configMapUpdate(List<FieldError> errs, ConfigMap cm, ConfigMap old) {
        if (Boolean.TRUE.equals(old.getImmutable())) {
            if (!Boolean.TRUE.equals(cm.getImmutable())) errs.add(FieldError.forbidden("immutable", IMMUTABLE_SET));
            if (!Objects.equals(map(cm.getData()), map(old.getData()))) errs.add(FieldError.forbidden("data", IMMUTABLE_SET));
            if (!Objects.equals(map(cm.getBinaryData()), map(old.getBinaryData()))) {
                errs.add(FieldError.forbidden("binaryData", IMMUTABLE_SET));
            }
        }
    }

    static void secret(List<FieldError> errs, Secret secret) {
        Map<String, String> data = map(secret.getData());
        Map<String, String> stringData = map(secret.getStringData());
        long size = 0;
        for (var e : new TreeMap<>(data).entrySet()) {
            Check.each(errs, "data[" + e.getKey() + "]", e.getKey(), Names.configMapKey(e.getKey()));
            size += decodedLength(e.getValue());
        }
        for (var e : new TreeMap<>(stringData).entrySet()) {
            Check.each(errs, "stringData[" + e.getKey() + "]", e.getKey(), Names.configMapKey(e.getKey()));
            if (!data.containsKey(e.getKey()) && e.getValue() != null) size += e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > MAX_SIZE) errs.add(FieldError.tooLong("data", "", MAX_SIZE));
        String type = secret.getType() == null ? "" : secret.getType();
        switch (type) {
            case "kubernetes.io/service-account-token" -> {
                Map<String, String> annotations = secret.getMetadata() == null ? Map.of() : map(secret.getMetadata().getAnnotations());
                String key = "kubernetes.io/service-account.name";
                if (Check.isEmpty(annotations.get(key))) {
                    errs.add(FieldError.required("metadata.annotations[" + key + "]", ""));
                }
            }
            case "kubernetes.io/dockercfg" -> dockerConfig(errs, secret, ".dockercfg");
            case "kubernetes.io/dockerconfigjson" -> dockerConfig(errs, secret, ".dockerconfigjson");
            case "kubernetes.io/basic-auth" -> {
                if (!has(secret, "username") && !has(secret, "password")) {
                    errs.add(FieldError.required("data[username]", ""));
                    errs.add(FieldError.required("data[password]", ""));
                }
            }
            case "kubernetes.io/ssh-auth" -> {
                if (!has(secret, "ssh-privatekey")) errs.add(FieldError.required("data[ssh-privatekey]", ""));
            }
            case "kubernetes.io/tls" -> {
                if (!has(secret, "tls.crt")) errs.add(FieldError.required("data[tls.crt]", ""));
                if (!has(secret, "tls.key")) errs.add(FieldError.required("data[tls.key]", ""));
            }
            default -> {
                // Opaque and custom types hold anything
            }
        }
    }

    private static boolean has(Secret s, String key) {
        return map(s.getData()).containsKey(key) || map(s.getStringData()).containsKey(key);
    }

    private static void dockerConfig(List<FieldError> errs, Secret secret, String key) {
        String content;
        if (map(secret.getStringData()).containsKey(key)) {
            content = secret.getStringData().get(key);
        } else if (map(secret.getData()).containsKey(key)) {
            try {
                content = new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                errs.add(FieldError.invalid("data[" + key + "]", "<secret contents redacted>", e.getMessage()));
                return;
            }
        } else {
            errs.add(FieldError.required("data[" + key + "]", ""));
            return;
        }
        try {
            JSON.readTree(content == null ? "" : content);
            if (content == null || content.isBlank()) throw new IllegalArgumentException("unexpected end of JSON input");
        } catch (Exception e) {
            errs.add(FieldError.invalid("data[" + key + "]", "<secret contents redacted>",
                    content == null || content.isBlank() ? "unexpected end of JSON input" : "invalid character in JSON input"));
        }
    }

    static void secretUpdate(List<FieldError> errs, Secret secret, Secret old) {
        String type = secret.getType() == null ? "" : secret.getType();
        String oldType = old.getType() == null ? "" : old.getType();
        if (!type.equals(oldType)) errs.add(FieldError.invalid("type", type, Check.IMMUTABLE));
        if (Boolean.TRUE.equals(old.getImmutable())) {
            if (!Boolean.TRUE.equals(secret.getImmutable())) errs.add(FieldError.forbidden("immutable", IMMUTABLE_SET));
            if (!Objects.equals(map(secret.getData()), map(old.getData())) || !map(secret.getStringData()).isEmpty()) {
                errs.add(FieldError.forbidden("data", IMMUTABLE_SET));
            }
        }
    }

    private static long decodedLength(String base64) {
        if (base64 == null) return 0;
        try {
            return Base64.getMimeDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return base64.length();
        }
    }
}
