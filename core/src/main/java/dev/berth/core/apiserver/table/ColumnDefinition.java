package dev.berth.core.apiserver.table;

import java.util.Objects;

/**
 * One column of a {@code meta.k8s.io/v1 Table}. kubectl shows columns with {@code priority > 0}
 * only with {@code -o wide}.
 *
 * @param type   OpenAPI type of the cells: string, integer, number, boolean or date
 * @param format OpenAPI format; {@code name} marks the column holding the object's name
 */
public record ColumnDefinition(String name, String type, String format, String description, int priority) {
    public ColumnDefinition {
        Objects.requireNonNull(name, "name");
        type = type == null ? "string" : type;
        format = format == null ? "" : format;
        description = description == null ? "" : description;
    }

    static ColumnDefinition of(String name, String type, String description) {
        return new ColumnDefinition(name, type, "", description, 0);
    }

    static ColumnDefinition wide(String name, String type, String description) {
        return new ColumnDefinition(name, type, "", description, 1);
    }
}
