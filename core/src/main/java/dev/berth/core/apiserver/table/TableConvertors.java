package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** Finds the table convertor of a resource, as the Kubernetes API server's printers define them. */
public final class TableConvertors {
    private static final Map<String, TableConvertor> BUILTIN = BuiltinPrinters.all();
    private static final TableConvertor DEFAULT = BuiltinPrinters.defaultTable();

    private TableConvertors() {
    }

    /**
     * The convertor for a built-in resource ("" for the core group, plural resource name), or
     * Kubernetes' default table (Name, Created At) for any other.
     */
    public static TableConvertor forResource(String group, String resource) {
        TableConvertor c = BUILTIN.get((group == null ? "" : group) + "/" + resource);
        if (c == null && "extensions".equals(group)) {
            c = BUILTIN.get("networking.k8s.io/" + resource);
        }
        return c == null ? DEFAULT : c;
    }

    /** Whether the resource has its own printer rather than the default table. */
    public static boolean hasPrinter(String group, String resource) {
        return BUILTIN.containsKey((group == null ? "" : group) + "/" + resource);
    }

    /** Kubernetes' default table: Name and Created At. */
    public static TableConvertor defaultConvertor() {
        return DEFAULT;
    }

    /**
     * The convertor for custom resources of one CRD version, from its
     * {@code additionalPrinterColumns} (null or empty: Name and Age).
     *
     * @throws dev.berth.core.api.ApiException 400 when a column has no name or an unsupported JSONPath
     */
    public static TableConvertor forCustomResource(JsonNode additionalPrinterColumns) {
        return new CustomResourcePrinter(additionalPrinterColumns);
    }
}
