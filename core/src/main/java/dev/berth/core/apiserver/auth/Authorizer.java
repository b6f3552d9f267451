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

    /** Every authenticated user may do everything (until RBAC is enforced). */
    Authorizer ALLOW_AUTHENTICATED = (user, request) -> Decision.ALLOW;
}
