package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;

import java.time.Instant;
import java.util.List;

/** Builds the {@code meta.k8s.io/v1 Table} answer to {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}. */
public final class Table {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The {@code includeObject} query parameter: what each row's {@code object} holds. */
    public enum IncludeObject {
        NONE, METADATA, OBJECT;

        /** Parses "None", "Metadata" or "Object"; absent means Metadata, as in Kubernetes. */
        public static IncludeObject parse(String value) {
            if (value == null || value.isEmpty()) {
                return METADATA;
            }
            return switch (value) {
                case "None" -> NONE;
                case "Metadata" -> METADATA;
                case "Object" -> OBJECT;
                default -> throw ApiException.badRequest("includeObject: Unsupported value: \"" + value
                        + "\": supported values: \"None\", \"Metadata\", \"Object\"");
            };
        }
    }

    private Table() {
    }

    /**
     * @param listMeta the list's metadata (resourceVersion, continue, remainingItemCount), or null
     * @param now      the time ages are measured against
     */
    public static ObjectNode build(List<? extends JsonNode> objects, TableConvertor convertor, IncludeObject include,
                                   JsonNode listMeta, Instant now) {
        ObjectNode table = JSON.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        if (listMeta != null && listMeta.isObject()) {
            metadata.setAll((ObjectNode) listMeta.deepCopy());
        }
        ArrayNode columns = table.putArray("columnDefinitions");
        for (ColumnDefinition c : convertor.columns()) {
            columns.addObject()
                    .put("name", c.name())
                    .put("type", c.type())
                    .put("format", c.format())
                    .put("description", c.description())
                    .put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : convertor.cells(object, now)) {
                cells.add(toJson(cell));
            }
            List<TableConvertor.RowCondition> conditions = convertor.rowConditions(object);
            if (!conditions.isEmpty()) {
                ArrayNode array = row.putArray("conditions");
                for (TableConvertor.RowCondition c : conditions) {
                    array.addObject().put("type", c.type()).put("status", c.status()).put("reason", c.reason())
                            .put("message", c.message());
                }
            }
            switch (include) {
                case NONE -> row.putNull("object");
                case METADATA -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    JsonNode m = object.get("metadata");
                    partial.set("metadata", m == null ? JSON.objectNode() : m.deepCopy());
                }
                case OBJECT -> row.set("object", object.deepCopy());
            }
        }
        return table;
    }

    private static JsonNode toJson(Object cell) {
        return switch (cell) {
            case null -> JSON.nullNode();
            case String s -> JSON.textNode(s);
            case Long l -> JSON.numberNode(l);
            case Integer i -> JSON.numberNode(i.longValue());
            case Double d -> JSON.numberNode(d);
            case Boolean b -> JSON.booleanNode(b);
            case JsonNode n -> n;
            default -> JSON.textNode(cell.toString());
        };
    }
}
