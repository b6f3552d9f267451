package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;

/** A table convertor made of fixed columns and a function computing the cells of one object. */
record Printer(List<ColumnDefinition> columns, BiFunction<JsonNode, Instant, List<Object>> cellFunction)
        implements TableConvertor {
    Printer {
        columns = List.copyOf(columns);
    }

    @Override
    public List<Object> cells(JsonNode object, Instant now) {
        return cellFunction.apply(object, now);
    }
}
