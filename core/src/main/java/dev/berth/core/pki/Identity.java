package dev.berth.core.pki;

import java.util.List;
import java.util.Objects;

/**
 * Who a credential (bearer token or client certificate) authenticates: a user name and its groups,
 * as the API server's authorizer (RBAC) sees them.
 */
public record Identity(String user, List<String> groups) {
    public Identity {
        Objects.requireNonNull(user, "user");
        if (user.isBlank()) throw new IllegalArgumentException("identity user must not be blank");
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
