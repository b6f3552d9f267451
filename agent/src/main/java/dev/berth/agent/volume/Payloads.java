package dev.berth.agent.volume;

import dev.berth.agent.volume.AtomicWriter.FileProjection;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The files of configMap, secret and downwardAPI volumes (and projected sources): pure functions. */
final class Payloads {
    /** kubelet's default for configMap, secret, downwardAPI and projected volumes (0644). */
    static final int DEFAULT_MODE = 0644;
    private static final Pattern SUBSCRIPT = Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");

    private Payloads() {
    }

    /** Key to content of a ConfigMap: data as UTF-8, binaryData decoded. */
    static Map<String, byte[]> contentOf(ConfigMap cm) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> out.put(k, (v == null ? "" : v).getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> out.putIfAbsent(k, decode(v)));
        }
        return out;
    }

    /** Key to content of a Secret: data decoded, stringData (when a server left it) over it. */
    static Map<String, byte[]> contentOf(Secret secret) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> out.put(k, decode(v)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> out.put(k, (v == null ? "" : v).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static byte[] decode(String base64) {
        return base64 == null ? new byte[0] : Base64.getMimeDecoder().decode(base64);
    }

    /**
     * Files of a configMap or secret: every key as a file with the default mode, or only the
     * listed items, each at its path with its own mode. A listed key that is missing fails unless
     * the source is optional, in kubelet's words ({@code missingKey} formats the key).
     */
    static Map<String, FileProjection> keyed(Map<String, byte[]> content, List<KeyToPath> items, int defaultMode,
                                             boolean optional, java.util.function.Function<String, String> missingKey)
            throws SetUpFailure {
        Map<String, FileProjection> out = new TreeMap<>();
        if (items == null || items.isEmpty()) {
            for (var e : content.entrySet()) {
                out.put(e.getKey(), new FileProjection(e.getValue(), defaultMode));
            }
            return out;
        }
        for (KeyToPath item : items) {
            byte[] data = content.get(item.getKey());
            if (data == null) {
                if (optional) {
                    continue;
                }
                throw new SetUpFailure(missingKey.apply(item.getKey()));
            }
            out.put(item.getPath(), new FileProjection(data, mode(item.getMode(), defaultMode, "items[" + item.getKey() + "].mode")));
        }
        return out;
    }

    static int mode(Integer mode, int fallback, String field) throws SetUpFailure {
        if (mode == null) {
            return fallback;
        }
        if (mode < 0 || mode > 0777) {
            throw new SetUpFailure(field + ": Invalid value: " + mode + ": must be a number between 0 and 0777 (octal), both inclusive");
        }
        return mode;
    }

    /**
     * Files of a downwardAPI volume or source: each item's field (metadata.name, namespace, uid,
     * labels, annotations, one label or annotation) or container resource. {@code allocatable}
     * gives the node's allocatable amount of a resource (cpu, memory, ephemeral-storage) for a limit
     * the container does not set, as kubelet does.
     */
    static Map<String, FileProjection> downward(Pod pod, List<DownwardAPIVolumeFile> items, int defaultMode,
                                                Supplier<Map<String, Quantity>> allocatable) throws SetUpFailure {
        Map<String, FileProjection> out = new TreeMap<>();
        if (items == null) {
            return out;
        }
        for (DownwardAPIVolumeFile item : items) {
            String value;
            if (item.getFieldRef() != null) {
                value = field(pod, item.getFieldRef().getFieldPath());
            } else if (item.getResourceFieldRef() != null) {
                var ref = item.getResourceFieldRef();
                value = resource(pod, ref.getContainerName(), ref.getResource(), ref.getDivisor(), allocatable);
            } else {
                throw new SetUpFailure("items[" + item.getPath() + "]: Required value: one of fieldRef and resourceFieldRef");
            }
            out.put(item.getPath(), new FileProjection(value.getBytes(StandardCharsets.UTF_8),
                    mode(item.getMode(), defaultMode, "items[" + item.getPath() + "].mode")));
        }
        return out;
    }

    /** The value of a metadata field of the pod, as kubelet's fieldpath.ExtractFieldPathAsString. */
    static String field(Pod pod, String fieldPath) throws SetUpFailure {
        var meta = pod.getMetadata();
        if (fieldPath == null) {
            throw new SetUpFailure("fieldRef.fieldPath: Required value");
        }
        Matcher m = SUBSCRIPT.matcher(fieldPath);
        if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
            String v = map == null ? null : map.get(m.group(2));
            return v == null ? "" : v;
        }
        return switch (fieldPath) {
            case "metadata.name" -> nz(meta.getName());
            case "metadata.namespace" -> nz(meta.getNamespace());
            case "metadata.uid" -> nz(meta.getUid());
            case "metadata.labels" -> formatMap(meta.getLabels());
            case "metadata.annotations" -> formatMap(meta.getAnnotations());
            default -> throw new SetUpFailure("unsupported fieldPath: " + fieldPath);
        };
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** {@code key="value"} lines sorted by key, values quoted as Go's %q, as kubelet's FormatMap. */
    static String formatMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (var e : new TreeMap<>(map).entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(e.getKey()).append('=').append(goQuote(e.getValue() == null ? "" : e.getValue()));
        }
        return sb.toString();
    }

    /** Go's strconv.Quote. */
    static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 0x07 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 0x0b -> sb.append("\\v");
                default -> {
                    if (printable(c)) {
                        sb.appendCodePoint(c);
                    } else if (c < 0x80) {
                        sb.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        sb.append(String.format("\\u%04x", c));
                    } else {
                        sb.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        int type = Character.getType(c);
        return Character.isDefined(c) && !Character.isISOControl(c) && !Character.isWhitespace(c)
                && type != Character.FORMAT && type != Character.SURROGATE && type != Character.PRIVATE_USE
                && type != Character.UNASSIGNED;
    }

    /**
     * A container's resource as kubelet writes it: limits or requests of cpu, memory or
     * ephemeral-storage divided by the divisor and rounded up; an unset limit is the node's
     * allocatable.
     */
    static String resource(Pod pod, String containerName, String resource, Quantity divisor,
                           Supplier<Map<String, Quantity>> allocatable) throws SetUpFailure {
        Container container = null;
        var spec = pod.getSpec();
        for (List<Container> list : List.of(nzl(spec.getContainers()), nzl(spec.getInitContainers()))) {
            for (Container c : list) {
                if (c.getName().equals(containerName)) {
                    container = c;
                    break;
                }
            }
            if (container != null) {
                break;
            }
        }
        if (container == null) {
            throw new SetUpFailure("container " + containerName + " not found");
        }
        if (resource == null || !resource.matches("(limits|requests)\\.(cpu|memory|ephemeral-storage)")) {
            throw new SetUpFailure("unsupported container resource : " + resource);
        }
        boolean limit = resource.startsWith("limits.");
        String name = resource.substring(resource.indexOf('.') + 1);
        var res = container.getResources();
        Map<String, Quantity> set = res == null ? null : limit ? res.getLimits() : res.getRequests();
        Quantity q = set == null ? null : set.get(name);
        if (q == null && limit) {
            q = allocatable.get().get(name);
        }
        BigDecimal amount = q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
        BigDecimal by = divisor == null || divisor.getAmount() == null || divisor.getAmount().isEmpty()
                ? BigDecimal.ONE : Quantity.getAmountInBytes(divisor);
        if (by.signum() <= 0) {
            throw new SetUpFailure("resourceFieldRef.divisor: Invalid value: \"" + divisor + "\": must be greater than zero");
        }
        if (name.equals("cpu")) {
            // kubelet: ceil(milli-value / divisor's milli-value)
            BigDecimal milli = amount.movePointRight(3).setScale(0, RoundingMode.CEILING);
            BigDecimal divMilli = by.movePointRight(3).setScale(0, RoundingMode.CEILING);
            return milli.divide(divMilli, 0, RoundingMode.CEILING).toPlainString();
        }
        BigDecimal value = amount.setScale(0, RoundingMode.CEILING);
        BigDecimal div = by.setScale(0, RoundingMode.CEILING);
        return value.divide(div, 0, RoundingMode.CEILING).toPlainString();
    }

    private static <T> List<T> nzl(List<T> l) {
        return l == null ? List.of() : l;
    }
}
