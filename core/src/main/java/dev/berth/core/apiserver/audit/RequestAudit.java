package dev.berth.core.apiserver.audit;

import dev.berth.core.apiserver.RequestInfo;
import dev.berth.core.apiserver.auth.UserInfo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What the audit log learns about one request while it is served: who sent it (once
 * authenticated), as whom (impersonation), and annotations added by authorization and admission
 * ({@code pod-security.kubernetes.io/audit-violations} ...). Code serving the request reaches it
 * through {@link #annotate}; it is bound to the thread that serves the request.
 */
public final class RequestAudit {
    private static final ThreadLocal<RequestAudit> CURRENT = new ThreadLocal<>();

    private final String auditId = UUID.randomUUID().toString();
    private final Instant received;
    private final RequestInfo info;
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private volatile UserInfo user;
    private volatile UserInfo impersonated;

    public RequestAudit(Instant received, RequestInfo info) {
        this.received = received;
        this.info = info;
    }

    /** Adds an annotation to the audit event of the request the calling thread serves, if any. */
    public static void annotate(String key, String value) {
        RequestAudit current = CURRENT.get();
        if (current != null) {
            current.put(key, value);
        }
    }

    /** Runs {@code work} with this request bound to the calling thread. */
    public <T> T bound(Supplier<T> work) {
        RequestAudit before = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    public synchronized void put(String key, String value) {
        annotations.put(key, value);
    }

    public synchronized Map<String, String> annotations() {
        return new LinkedHashMap<>(annotations);
    }

    public void user(UserInfo user) {
        this.user = user;
    }

    public void impersonated(UserInfo impersonated) {
        this.impersonated = impersonated;
    }

    public UserInfo user() {
        return user;
    }

    public UserInfo impersonatedUser() {
        return impersonated;
    }

    public String auditId() {
        return auditId;
    }

    public Instant received() {
        return received;
    }

    public RequestInfo info() {
        return info;
    }
}
