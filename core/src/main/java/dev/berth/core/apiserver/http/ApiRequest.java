package dev.berth.core.apiserver.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the API handlers see it: decoded path and query, headers, the whole body,
 * and the TLS client certificate chain if the client sent one.
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, HttpHeaders headers,
                         byte[] body, X509Certificate[] clientCertificates, String remoteAddress,
                         boolean websocketUpgrade) {

    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public boolean flag(String name) {
        String v = param(name);
        return v != null && (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1"));
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The media type without parameters, lower case; empty when absent. */
    public String contentType() {
        String ct = headers.get("Content-Type");
        if (ct == null) {
            return "";
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }
}
