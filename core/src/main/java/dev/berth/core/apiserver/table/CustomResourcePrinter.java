package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of custom resources from a CRD version's {@code additionalPrinterColumns}: the name, then
 * each column's JSONPath value converted to the column's type; "Age" when the CRD declares none.
 */
final class CustomResourcePrinter implements TableConvertor {
    private final List<ColumnDefinition> columns;
    private final List<SimpleJsonPath> paths;

    CustomResourcePrinter(JsonNode additionalPrinterColumns) {
        List<ColumnDefinition> cols = new ArrayList<>();
        List<SimpleJsonPath> ps = new ArrayList<>();
        cols.add(Cells.NAME);
        List<JsonNode> declared = Cells.items(additionalPrinterColumns);
        if (declared.isEmpty()) {
            cols.add(new ColumnDefinition("Age", "date", "", Cells.CREATION_TIMESTAMP_DESCRIPTION, 0));
            ps.add(SimpleJsonPath.parse(".metadata.creationTimestamp"));
        }
        for (int i = 0; i < declared.size(); i++) {
            JsonNode c = declared.get(i);
            String name = Cells.text(c, "name");
            String jsonPath = Cells.text(c, "jsonPath");
            if (name.isEmpty()) {
                throw ApiException.badRequest("additionalPrinterColumns[" + i + "].name: Required value");
            }
            try {
                ps.add(SimpleJsonPath.parse(jsonPath));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("additionalPrinterColumns[" + i + "].jsonPath: Invalid value: \""
                        + jsonPath + "\": " + e.getMessage());
            }
            cols.add(new ColumnDefinition(name, Cells.textOr(c, "string", "type"), Cells.text(c, "format"),
                    Cells.text(c, "description"), (int) Cells.num(c, "priority")));
        }
        this.columns = List.copyOf(cols);
        this.paths = List.copyOf(ps);
    }

    @Override
    public List<ColumnDefinition> columns() {
        return columns;
    }

    @Override
    public List<Object> cells(JsonNode object, Instant now) {
        List<Object> cells = new ArrayList<>();
        cells.add(Cells.name(object));
        for (int i = 0; i < paths.size(); i++) {
            JsonNode value = paths.get(i).find(object);
            cells.add(value == null || value.isNull() ? null : cell(columns.get(i + 1).type(), value, now));
        }
        return cells;
    }

    private static Object cell(String type, JsonNode value, Instant now) {
        switch (type) {
            case "integer":
                return value.isNumber() ? value.asLong() : null;
            case "number":
                return value.isNumber() ? value.asDouble() : null;
            case "boolean":
                return value.isBoolean() ? value.asBoolean() : null;
            case "date":
                if (!value.isTextual()) {
                    return null;
                }
                try {
                    return HumanDuration.since(OffsetDateTime.parse(value.asText()).toInstant(), now);
                } catch (DateTimeParseException e) {
                    return "<invalid>";
                }
            case "string":
                // JSONPath output: strings raw, anything else as its JSON text.
                return value.isTextual() ? value.asText() : value.toString();
            default:
                return null;
        }
    }
}
