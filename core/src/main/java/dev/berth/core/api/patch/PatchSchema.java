package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the patch engines need to know about one position in an object: whether a list there is
 * merged (and by which keys) or replaced, and whether an object there is a struct with declared
 * fields or a map with free keys. Obtained from a fabric8 model class ({@link #forType}), from a
 * CRD's OpenAPI v3 schema ({@link #fromOpenApi}), or {@link #untyped()} when nothing is known.
 *
 * <p>Strategic merge follows Kubernetes' {@code patchStrategy}/{@code patchMergeKey} struct tags;
 * server-side apply follows {@code listType}/{@code listMapKey}. The two differ for a few lists
 * (container ports merge by containerPort, but apply keys them by containerPort and protocol),
 * so a position answers both questions separately. Instances are immutable and shared.
 */
public abstract class PatchSchema {

    /** How server-side apply treats a list (x-kubernetes-list-type). */
    public enum ListType { ATOMIC, SET, MAP }

    PatchSchema() {
    }

    /** The schema of a fabric8 model class (Pod, Deployment, ...), walked through Jackson's type information. */
    public static PatchSchema forType(Class<?> fabric8RootClass) {
        return TypedSchema.of(Json.MAPPER.constructType(fabric8RootClass), null);
    }

    /** The schema of a custom resource from its OpenAPI v3 schema (x-kubernetes-list-type and friends). */
    public static PatchSchema fromOpenApi(JsonNode openApiV3Schema) {
        return new OpenApiSchema(openApiV3Schema);
    }

    /** Nothing known: lists are atomic, objects are maps. */
    public static PatchSchema untyped() {
        return Untyped.INSTANCE;
    }

    /** True when this schema comes from a built-in Kubernetes type, the only kind strategic merge accepts. */
    public abstract boolean isBuiltIn();

    /** The schema of field {@code name} of the object here, or of a value of the map here. */
    public abstract PatchSchema field(String name);

    /** The schema of the elements of the list here. */
    public abstract PatchSchema elements();

    /** True when an object here is a struct with declared fields (not a map with free keys). */
    public abstract boolean isStruct();

    /** True when {@code name} is a declared field of the struct here. */
    public abstract boolean declares(String name);

    /** True when an object here is replaced as a whole by apply (x-kubernetes-map-type: atomic). */
    public boolean isAtomicObject() {
        return false;
    }

    /** The strategic-merge rule of the list here; {@link ListRule#ATOMIC} when it is replaced. */
    public abstract ListRule listRule();

    /**
     * How lists behave under both kinds of patch.
     *
     * @param strategicMergeKey the patchMergeKey, or null
     * @param strategicSet      true for {@code patchStrategy:"merge"} on a list of scalars (finalizers)
     * @param applyType         the server-side apply list type
     * @param applyKeys         the listMapKeys for {@link ListType#MAP}
     * @param keyDefaults       values the API server defaults for missing key fields (protocol: TCP)
     */
    public record ListRule(String strategicMergeKey, boolean strategicSet, ListType applyType, List<String> applyKeys,
                           Map<String, String> keyDefaults) {
        public static final ListRule ATOMIC = new ListRule(null, false, ListType.ATOMIC, List.of(), Map.of());

        /** {@code patchStrategy:"merge" patchMergeKey:key} and {@code listType=map listMapKey=key}. */
        public static ListRule mergeBy(String key) {
            return new ListRule(key, false, ListType.MAP, List.of(key), Map.of());
        }

        /** {@code patchStrategy:"merge"} on scalars and {@code listType=set}. */
        public static ListRule set() {
            return new ListRule(null, true, ListType.SET, List.of(), Map.of());
        }

        /** {@code listType=map} for apply only; strategic merge replaces the list. */
        public static ListRule applyMap(String... keys) {
            return new ListRule(null, false, ListType.MAP, List.of(keys), Map.of());
        }

        public ListRule withApplyKeys(Map<String, String> defaults, String... keys) {
            return new ListRule(strategicMergeKey, strategicSet, ListType.MAP, List.of(keys), defaults);
        }

        public ListRule applyAtomic() {
            return new ListRule(strategicMergeKey, strategicSet, ListType.ATOMIC, List.of(), Map.of());
        }

        public boolean strategicMerge() {
            return strategicMergeKey != null || strategicSet;
        }
    }

    // ---------------------------------------------------------------- fabric8 types

    private static final class TypedSchema extends PatchSchema {
        private static final Map<JavaType, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();
        private final JavaType type;
        private final ListRule rule;

        private TypedSchema(JavaType type, ListRule rule) {
            this.type = type;
            this.rule = rule == null ? ListRule.ATOMIC : rule;
        }

        static PatchSchema of(JavaType type, ListRule rule) {
            if (type == null || type.isJavaLangObject()) {
                return rule == null ? Untyped.BUILT_IN : new TypedSchema(Json.MAPPER.constructType(Object.class), rule);
            }
            return new TypedSchema(type, rule);
        }

        @Override
        public boolean isBuiltIn() {
            return true;
        }

        @Override
        public PatchSchema field(String name) {
            if (type.isMapLikeType()) {
                return of(type.getContentType(), null);
            }
            if (!isBean()) {
                return Untyped.BUILT_IN;
            }
            JavaType t = properties().get(name);
            if (t == null) {
                return Untyped.BUILT_IN;
            }
            return of(t, StrategyTable.rule(type.getRawClass(), name));
        }

        @Override
        public PatchSchema elements() {
            if (type.isCollectionLikeType() || type.isArrayType()) {
                return of(type.getContentType(), null);
            }
            return Untyped.BUILT_IN;
        }

        @Override
        public boolean isStruct() {
            return isBean();
        }

        @Override
        public boolean declares(String name) {
            return isBean() && properties().containsKey(name);
        }

        @Override
        public ListRule listRule() {
            return rule;
        }

        @Override
        public boolean isAtomicObject() {
            return StrategyTable.isAtomicStruct(type.getRawClass());
        }

        private boolean isBean() {
            Class<?> raw = type.getRawClass();
            return !type.isContainerType() && raw.getName().startsWith("io.fabric8.")
                    && !raw.isEnum() && !properties().isEmpty();
        }

        private Map<String, JavaType> properties() {
            return PROPERTIES.computeIfAbsent(type, t -> {
                BeanDescription d = Json.MAPPER.getSerializationConfig().introspect(t);
                Map<String, JavaType> out = new LinkedHashMap<>();
                for (BeanPropertyDefinition p : d.findProperties()) {
                    if (p.getPrimaryType() != null && !"additionalProperties".equals(p.getName())) {
                        out.put(p.getName(), p.getPrimaryType());
                    }
                }
                return Map.copyOf(out);
            });
        }
    }

    // ---------------------------------------------------------------- nothing known

    private static final class Untyped extends PatchSchema {
        static final Untyped INSTANCE = new Untyped(false);
        /** Inside a built-in type, but at a field the model does not declare. */
        static final Untyped BUILT_IN = new Untyped(true);
        private final boolean builtIn;

        private Untyped(boolean builtIn) {
            this.builtIn = builtIn;
        }

        @Override
        public boolean isBuiltIn() {
            return builtIn;
        }

        @Override
        public PatchSchema field(String name) {
            return this;
        }

        @Override
        public PatchSchema elements() {
            return this;
        }

        @Override
        public boolean isStruct() {
            return false;
        }

        @Override
        public boolean declares(String name) {
            return false;
        }

        @Override
        public ListRule listRule() {
            return ListRule.ATOMIC;
        }
    }

    // ---------------------------------------------------------------- CRD OpenAPI v3

    private static final class OpenApiSchema extends PatchSchema {
        private final JsonNode node;
        private final Map<String, PatchSchema> children = new HashMap<>();

        OpenApiSchema(JsonNode node) {
            this.node = node == null ? Json.MAPPER.createObjectNode() : node;
        }

        @Override
        public boolean isBuiltIn() {
            return false;
        }

        @Override
        public synchronized PatchSchema field(String name) {
            return children.computeIfAbsent(name, n -> {
                JsonNode props = node.get("properties");
                if (props != null && props.has(n)) {
                    return new OpenApiSchema(props.get(n));
                }
                JsonNode additional = node.get("additionalProperties");
                if (additional != null && additional.isObject()) {
                    return new OpenApiSchema(additional);
                }
                return Untyped.INSTANCE;
            });
        }

        @Override
        public PatchSchema elements() {
            JsonNode items = node.get("items");
            return items != null && items.isObject() ? new OpenApiSchema(items) : Untyped.INSTANCE;
        }

        @Override
        public boolean isStruct() {
            return node.has("properties") && !node.has("additionalProperties");
        }

        @Override
        public boolean declares(String name) {
            JsonNode props = node.get("properties");
            return props != null && props.has(name);
        }

        @Override
        public boolean isAtomicObject() {
            return "atomic".equals(node.path("x-kubernetes-map-type").asText());
        }

        @Override
        public ListRule listRule() {
            return switch (node.path("x-kubernetes-list-type").asText()) {
                case "set" -> new ListRule(null, false, ListType.SET, List.of(), Map.of());
                case "map" -> {
                    List<String> keys = new java.util.ArrayList<>();
                    node.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
                    yield new ListRule(null, false, ListType.MAP, List.copyOf(keys), Map.of());
                }
                default -> ListRule.ATOMIC;
            };
        }
    }
}
