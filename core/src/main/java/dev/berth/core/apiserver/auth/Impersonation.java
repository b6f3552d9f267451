package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.http.ApiRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * User impersonation, as kube-apiserver's filter: {@code Impersonate-User} and
 * {@code Impersonate-Group} headers (kubectl {@code --as}, {@code --as-group}) make the request act
 * as that user, provided the real user may {@code impersonate} the user (or service account) and
 * each group.
 */
public final class Impersonation {
    public static final String USER_HEADER = "Impersonate-User";
    public static final String GROUP_HEADER = "Impersonate-Group";
    private static final String SA_PREFIX = "system:serviceaccount:";

    private Impersonation() {}

    /** The user the request acts as: {@code user} itself when no impersonation headers came. */
    public static UserInfo apply(ApiRequest req, UserInfo user, Authorizer authorizer) {
        String as = req.headers().get(USER_HEADER);
        List<String> groups = req.headers().getAll(GROUP_HEADER);
        boolean extras = req.headers().names().stream().anyMatch(h -> h.regionMatches(true, 0, "Impersonate-Extra-", 0, 18)
                || h.equalsIgnoreCase("Impersonate-Uid"));
        if (as == null) {
            if (!groups.isEmpty() || extras) {
                throw ApiException.badRequest("requested " + (groups.isEmpty() ? "extra" : "groups " + groups)
                        + " without impersonating a user");
            }
            return user;
        }
        if (as.isEmpty()) {
            throw ApiException.badRequest("Impersonate-User: must not be empty");
        }
        List<String> newGroups = new ArrayList<>();
        if (as.startsWith(SA_PREFIX) && as.substring(SA_PREFIX.length()).contains(":")) {
            String rest = as.substring(SA_PREFIX.length());
            String ns = rest.substring(0, rest.indexOf(':'));
            String name = rest.substring(rest.indexOf(':') + 1);
            check(authorizer, user, "serviceaccounts", ns, name);
            newGroups.add("system:serviceaccounts");
            newGroups.add("system:serviceaccounts:" + ns);
        } else {
            check(authorizer, user, "users", "", as);
        }
        for (String g : groups) {
            check(authorizer, user, "groups", "", g);
            if (!newGroups.contains(g)) {
                newGroups.add(g);
            }
        }
        return new UserInfo(as, newGroups);
    }

    private static void check(Authorizer authorizer, UserInfo user, String resource, String ns, String name) {
        RequestInfo info = new RequestInfo(true, "", "impersonate", "api", "", "v1", ns, resource, "", name, List.of());
        if (!authorizer.authorize(user, info).allowed()) {
            throw ApiException.forbidden(resource + " \"" + name + "\" is forbidden: User \"" + user.name()
                    + "\" cannot impersonate resource \"" + resource + "\" in API group \"\""
                    + (ns.isEmpty() ? " at the cluster scope" : " in the namespace \"" + ns + "\""));
        }
    }
}
