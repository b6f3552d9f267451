package dev.berth.core.apiserver.auth;

import dev.berth.core.apiserver.http.ApiRequest;

import java.util.List;
import java.util.Optional;

/**
 * Establishes who sent a request. Authenticators form a chain: the first that recognises the
 * credentials answers; one that finds credentials it rejects throws
 * {@link dev.berth.core.api.ApiException} 401.
 */
@FunctionalInterface
public interface Authenticator {
    Optional<UserInfo> authenticate(ApiRequest request);

    static Authenticator chain(List<Authenticator> chain) {
        return req -> {
            for (Authenticator a : chain) {
                Optional<UserInfo> u = a.authenticate(req);
                if (u.isPresent()) {
                    return u;
                }
            }
            return Optional.empty();
        };
    }
}
