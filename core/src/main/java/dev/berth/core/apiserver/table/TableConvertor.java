package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * Turns objects of one resource into table rows, like the API server's printers: the columns
 * are fixed per resource, the cells of an object always cover every column (wide ones too).
 */
public interface TableConvertor {
    List<ColumnDefinition> columns();

    /**
     * The cells of one object, one per column: {@link String}, {@link Long}, {@link Double},
     * {@link Boolean} or {@code null}.
     *
     * @param now the time ages are measured against
     */
    List<Object> cells(JsonNode object, Instant now);

    /** Conditions of an object's row; kubectl uses {@code Completed} to tell finished pods apart. */
    default List<RowCondition> rowConditions(JsonNode object) {
        return List.of();
    }

    /** A {@code TableRowCondition}. */
    record RowCondition(String type, String status, String reason, String message) {
    }
}
