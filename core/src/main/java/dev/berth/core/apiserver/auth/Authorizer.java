package dev.berth.core.apiserver.auth;

import dev.berth.core.apiserver.RequestInfo;

/** Decides whether a user may do what a request asks. */
@FunctionalInterface
public interface Authorizer {
    /** Allows the request, or returns the reason it is denied. */
    Decision authorize(UserInfo user, RequestInfo request);

    record Decision(boolean allowed, String reason) {
        public static final Decision ALLOW = new Decision(true, "");

        public static Decision deny(String reason) {
            return new Decision(false, reason);
        }
    }

    /** Every authenticated user may do everything (tests of other parts; servers use {@link #NODE_RBAC}). */
    Authorizer ALLOW_AUTHENTICATED = (user, request) -> Decision.ALLOW;

    /**
     * Asks the API server for {@code system:masters}, the Node authorizer and RBAC
     * ({@link ClusterAuthorization}), evaluated over its own watch cache; the server builds it.
     */
    Authorizer NODE_RBAC = new Authorizer() {
        @Override
        public Decision authorize(UserInfo user, dev.berth.core.apiserver.RequestInfo request) {
            throw new IllegalStateException("NODE_RBAC is replaced by the API server's own ClusterAuthorization");
        }

        @Override
        public String toString() {
            return "Node,RBAC";
        }
    };
}
