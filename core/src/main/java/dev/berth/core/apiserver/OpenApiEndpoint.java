package dev.berth.core.apiserver;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.openapi.BuiltinKinds;
import dev.berth.core.apiserver.openapi.OpenApiService;
import dev.berth.core.apiserver.openapi.ServedKind;

import java.util.List;

/** {@code /openapi/v3} and its group-version documents; {@code /openapi/v2} is not served. */
public final class OpenApiEndpoint implements WireFormats.OpenApi {
    private final OpenApiService service = new OpenApiService(BuiltinKinds.all());

    public void customResourcesChanged(List<ServedKind> custom) {
        service.customResourcesChanged(custom);
    }

    @Override
    public ApiResponse serve(ApiRequest req) {
        String path = req.path();
        if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
            return ApiResponse.Full.json(200, service.current().index());
        }
        if (path.startsWith("/openapi/v3/")) {
            String gv = path.substring("/openapi/v3/".length());
            return service.current().document(gv).map(b -> {
                ApiResponse.Full f = ApiResponse.Full.json(200, b);
                if (req.param("hash") != null) {
                    f.header("Cache-Control", "public, immutable");
                }
                return (ApiResponse) f;
            }).orElseThrow(() -> new ApiException(404, "NotFound", "the server could not find the requested resource"));
        }
        throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
}
