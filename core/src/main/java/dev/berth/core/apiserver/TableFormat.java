package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.apiserver.table.Table;
import dev.berth.core.apiserver.table.TableConvertor;
import dev.berth.core.apiserver.table.TableConvertors;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** kubectl's Table output for lists, gets and watch events. */
public final class TableFormat implements WireFormats.Tables {
    private final Clock clock;
    /** Printer columns of a custom resource, or null. */
    private final Function<ResourceType, JsonNode> printerColumns;

    public TableFormat(Clock clock, Function<ResourceType, JsonNode> printerColumns) {
        this.clock = clock;
        this.printerColumns = printerColumns;
    }

    private TableConvertor convertor(ResourceType t) {
        if (t.isCustom()) {
            return TableConvertors.forCustomResource(printerColumns.apply(t));
        }
        return TableConvertors.forResource(t.group(), t.resource());
    }

    @Override
    public byte[] table(ResourceType type, List<CachedObject> items, long revision, String cont, Long remaining,
                        String includeObject) {
        List<JsonNode> objects = new ArrayList<>(items.size());
        for (CachedObject o : items) {
            objects.add(Json.parse(o.json()));
        }
        ObjectNode listMeta = Json.MAPPER.createObjectNode();
        if (revision > 0) listMeta.put("resourceVersion", Long.toString(revision));
        if (cont != null) listMeta.put("continue", cont);
        if (remaining != null) listMeta.put("remainingItemCount", remaining);
        return Json.bytes(Table.build(objects, convertor(type), Table.IncludeObject.parse(includeObject), listMeta,
                clock.instant()));
    }

    @Override
    public byte[] row(ResourceType type, CachedObject item, boolean withColumns, String includeObject) {
        ObjectNode t = Table.build(List.of(Json.parse(item.json())), convertor(type),
                Table.IncludeObject.parse(includeObject), null, clock.instant());
        if (!withColumns) {
            t.remove("columnDefinitions");
        }
        ((ObjectNode) t.get("metadata")).put("resourceVersion", Long.toString(item.modRevision()));
        return Json.bytes(t);
    }
}
