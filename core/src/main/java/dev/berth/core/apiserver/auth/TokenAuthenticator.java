package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.pki.Identity;

import java.util.Optional;
import java.util.function.Function;

/** Bearer tokens: {@code Authorization: Bearer T}. A token nobody issued is a 401. */
public final class TokenAuthenticator implements Authenticator {
    private final Function<String, Optional<Identity>> lookup;

    public TokenAuthenticator(Function<String, Optional<Identity>> lookup) {
        this.lookup = lookup;
    }

    @Override
    public Optional<UserInfo> authenticate(ApiRequest request) {
        String h = request.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = h.substring(7).trim();
        Identity id = lookup.apply(token).orElseThrow(() -> new ApiException(401, "Unauthorized", "Unauthorized"));
        return Optional.of(new UserInfo(id.user(), id.groups()));
    }
}
