package dev.berth.core.apiserver.auth;

import java.util.List;

/** An authenticated identity: user name and groups, as Kubernetes' user.Info. */
public record UserInfo(String name, List<String> groups) {
    public static final String MASTERS = "system:masters";
    public static final String AUTHENTICATED = "system:authenticated";

    public UserInfo {
        groups = groups.contains(AUTHENTICATED) || name.equals("system:anonymous") ? List.copyOf(groups)
                : java.util.stream.Stream.concat(groups.stream(), java.util.stream.Stream.of(AUTHENTICATED)).toList();
    }
}
