package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.registry.ResourceType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Request and response encodings: JSON, YAML and protobuf bodies in; JSON, and the Table form
 * kubectl asks for, out; conversion between served versions of one stored resource.
 */
public class WireFormats {

    /** Table rendering (kubectl's columns); null until configured. */
    public interface Tables {
        byte[] table(ResourceType type, List<CachedObject> items, long revision, String cont, Long remaining,
                     String includeObject);

        byte[] row(ResourceType type, CachedObject item, boolean withColumns, String includeObject);
    }

    /** Protobuf request bodies to JSON trees. */
    public interface Protobuf {
        ObjectNode decode(byte[] body);
    }

    /** OpenAPI documents. */
    public interface OpenApi {
        ApiResponse serve(ApiRequest req);
    }

    private volatile Tables tables;
    private volatile Protobuf protobuf;
    private volatile OpenApi openApi;
    private final Conversions conversions;

    public WireFormats(Conversions conversions) {
        this.conversions = conversions;
    }

    public void setTables(Tables t) {
        this.tables = t;
    }

    public void setProtobuf(Protobuf p) {
        this.protobuf = p;
    }

    public void setOpenApi(OpenApi o) {
        this.openApi = o;
    }

    public ObjectNode decodeBody(ApiRequest req, ResourceType type) {
        String ct = req.contentType();
        if (req.body().length == 0) {
            throw ApiException.badRequest("the request body is empty: an object of kind " + type.kind() + " is expected");
        }
        ObjectNode tree;
        switch (ct) {
            case "application/json", "" -> tree = parseJson(req.body());
            case "application/yaml" -> tree = parseYaml(req.body());
            case "application/vnd.kubernetes.protobuf" -> {
                Protobuf p = protobuf;
                if (p == null) {
                    throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - "
                            + "accepted media types include: application/json, application/yaml");
                }
                tree = p.decode(req.body());
            }
            default -> throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - "
                    + "accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
        }
        return conversions.toStorage(type, tree);
    }

    static ObjectNode parseJson(byte[] body) {
        try {
            JsonNode n = Json.STRICT_READER.readTree(body);
            if (!(n instanceof ObjectNode o)) {
                throw ApiException.badRequest("the request body must be a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding JSON body: " + withoutTokens(firstLine(e.getMessage())));
        }
    }

    static ObjectNode parseYaml(byte[] body) {
        try {
            JsonNode n = Json.YAML.readTree(body);
            if (!(n instanceof ObjectNode o)) {
                throw ApiException.badRequest("the request body must be a YAML mapping");
            }
            return o;
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding YAML body: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Jackson quotes the offending token whole ({@code Unrecognized token 'hunter2': ...}); a body
     * may be a Secret, so the message names the position only, as Go's decoder names one character.
     */
    static String withoutTokens(String message) {
        return message.replaceAll("Unrecognized token '[^']*'", "Unrecognized token");
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Stored JSON as the requested version. */
    public byte[] convert(ResourceType type, byte[] json) {
        return conversions.fromStorage(type, json);
    }

    public boolean wantsTable(ApiRequest req) {
        String accept = req.header("Accept");
        return tables != null && accept != null && accept.contains("as=Table");
    }

    private static String includeObject(ApiRequest req) {
        String v = req.param("includeObject");
        return v == null ? "Metadata" : v;
    }

    public ApiResponse object(ApiRequest req, ResourceType type, byte[] json, int code) {
        byte[] body = convert(type, json);
        if (wantsTable(req) && req.method().equals("GET") && !isStatus(body)) {
            CachedObject o = new CachedObject("", "", "", body, 0, java.util.Map.of(), java.util.Map.of());
            return ApiResponse.Full.json(code, tables.table(type, List.of(o), 0, null, null, includeObject(req)));
        }
        return ApiResponse.Full.json(code, body);
    }

    private static boolean isStatus(byte[] body) {
        return body.length > 20 && new String(body, 0, Math.min(body.length, 40), java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"kind\":\"Status\"");
    }

    public ApiResponse list(ApiRequest req, ResourceType type, List<CachedObject> items, long revision, String cont,
                            Long remaining) {
        if (wantsTable(req)) {
            List<CachedObject> converted = items;
            if (conversions.converts(type)) {
                converted = new ArrayList<>(items.size());
                for (CachedObject o : items) {
                    converted.add(new CachedObject(o.key(), o.namespace(), o.name(), convert(type, o.json()),
                            o.modRevision(), o.labels(), o.fields()));
                }
            }
            return ApiResponse.Full.json(200, tables.table(type, converted, revision, cont, remaining, includeObject(req)));
        }
        List<byte[]> bytes = new ArrayList<>(items.size());
        for (CachedObject o : items) {
            bytes.add(convert(type, o.json()));
        }
        return ApiResponse.Full.json(200, ApiHandlers.listBytes(type, bytes, revision, cont, remaining));
    }

    public byte[] tableEvent(ApiRequest req, ResourceType type, CachedObject o, boolean first) {
        CachedObject c = conversions.converts(type)
                ? new CachedObject(o.key(), o.namespace(), o.name(), convert(type, o.json()), o.modRevision(), o.labels(), o.fields())
                : o;
        return tables.row(type, c, first, includeObject(req));
    }

    public ApiResponse openApi(ApiRequest req) {
        OpenApi o = openApi;
        if (o == null) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        return o.serve(req);
    }
}
