package dev.berth.core.apiserver.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the API handlers see it: decoded path and query, headers, the whole body,
 * and the TLS client certificate chain if the client sent one. A few requests (a proxied upload)
 * have their body streamed instead: see {@link #bodyStream()}.
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, HttpHeaders headers,
                         byte[] body, X509Certificate[] clientCertificates, String remoteAddress,
                         boolean websocketUpgrade, InputStream streamedBody) {

    /** A request whose body arrived whole. */
    public ApiRequest(String method, String path, Map<String, List<String>> query, HttpHeaders headers,
                      byte[] body, X509Certificate[] clientCertificates, String remoteAddress, boolean websocketUpgrade) {
        this(method, path, query, headers, body, clientCertificates, remoteAddress, websocketUpgrade, null);
    }

    /**
     * The body as a stream: the connection's bytes as they come for a request whose body is
     * streamed (then {@link #body()} is empty), else the whole body.
     */
    public InputStream bodyStream() {
        return streamedBody != null ? streamedBody : new ByteArrayInputStream(body);
    }

    /** True when the body is streamed from the connection rather than held in {@link #body()}. */
    public boolean bodyStreamed() {
        return streamedBody != null;
    }

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
