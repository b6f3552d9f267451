package dev.berth.core.pki;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts for the API server (Netty) and for clients that talk to it: TLS 1.2 and 1.3 only,
 * forward-secret AEAD cipher suites only, trust limited to the cluster CA.
 *
 * <p>During the handshake the JDK checks certificate validity against the system clock, not
 * the {@link java.time.Clock} given to {@link ClusterCa}.
 */
public final class Tls {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * TLS 1.3 suites (all AEAD), then TLS 1.2 ECDHE suites with AES-GCM or ChaCha20-Poly1305.
     * The RSA variants stay so that an operator-supplied RSA certificate still works.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    // Only HTTP/1.1 is offered: kubectl and client-go would otherwise switch to HTTP/2.
    private static final ApplicationProtocolConfig ALPN_HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);

    private Tls() {}

    /**
     * A Netty server context presenting {@code certificate}; client certificates, when
     * {@code clientAuth} asks for them, must chain to {@code trust}. With {@link ClientAuth#OPTIONAL}
     * a client without a certificate connects (and authenticates with a token), while one with a
     * certificate from another CA fails the handshake. The handshake checks signature, validity and
     * clientAuth usage; authentication still maps the peer chain through
     * {@link ClusterCa#verifyClientChain}.
     *
     * <p>The handshake checks only that the cluster CA signed the client certificate; its validity
     * period is checked by {@link ClusterCa#verifyClientChain} against the server's clock, so that an
     * expired certificate gets a {@code 401} naming its expiry, as kube-apiserver answers, rather
     * than a bare handshake failure.
     */
    public static SslContext serverContext(X509Certificate certificate, PrivateKey key, ClusterCa trust,
                                           ClientAuth clientAuth) {
        try {
            return SslContextBuilder.forServer(key, certificate)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN_HTTP_1_1)
                    .trustManager(new ClusterCaClientTrust(trust))
                    .clientAuth(clientAuth)
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot build the TLS server context for "
                    + certificate.getSubjectX500Principal().getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A Netty server context presenting {@code certificate}, trusting client certificates that chain
     * to {@code trustedCa}: for servers that hold only the CA's certificate, such as node agents.
     */
    public static SslContext serverContext(X509Certificate certificate, PrivateKey key, X509Certificate trustedCa,
                                           ClientAuth clientAuth) {
        try {
            return SslContextBuilder.forServer(key, certificate)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN_HTTP_1_1)
                    .trustManager(trustedCa)
                    .clientAuth(clientAuth)
                    .build();
        } catch (SSLException e) {
            throw new PkiException("cannot build the TLS server context for "
                    + certificate.getSubjectX500Principal().getName() + ": " + e.getMessage(), e);
        }
    }

    /** {@link #serverContext(X509Certificate, PrivateKey, ClusterCa, ClientAuth)} with a {@link CertifiedKey}. */
    public static SslContext serverContext(CertifiedKey served, ClusterCa trust, ClientAuth clientAuth) {
        return serverContext(served.certificate(), served.privateKey(), trust, clientAuth);
    }

    /**
     * Accepts client certificates the cluster CA signed, whatever their validity period (checked
     * later against the server's clock); trusts no server.
     */
    private static final class ClusterCaClientTrust extends javax.net.ssl.X509ExtendedTrustManager {
        private final ClusterCa ca;

        ClusterCaClientTrust(ClusterCa ca) {
            this.ca = ca;
        }

        private void check(X509Certificate[] chain) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0) {
                throw new java.security.cert.CertificateException("no client certificate presented");
            }
            if (!ca.signed(chain[0])) {
                throw new java.security.cert.CertificateException("client certificate \""
                        + chain[0].getSubjectX500Principal().getName() + "\" is not signed by the cluster CA");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a server context trusts no servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a server context trusts no servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a server context trusts no servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {ca.certificate()};
        }
    }

    /**
     * A Netty client context trusting only {@code trustedCa}, presenting {@code clientCertificate}
     * when it is not null. The server's name is checked against its certificate (HTTPS rules), so
     * create handlers with {@code newHandler(alloc, host, port)}.
     */
    public static SslContext clientSslContext(X509Certificate trustedCa, CertifiedKey clientCertificate) {
        return clientSslContext(List.of(trustedCa), clientCertificate);
    }

    /** {@link #clientSslContext(X509Certificate, CertifiedKey)} trusting several CAs (a CA bundle). */
    public static SslContext clientSslContext(Collection<X509Certificate> trustedCas, CertifiedKey clientCertificate) {
        if (trustedCas.isEmpty()) throw new IllegalArgumentException("a client TLS context needs at least one trusted CA");
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN_HTTP_1_1)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .trustManager(trustedCas);
            if (clientCertificate != null) {
                builder.keyManager(clientCertificate.privateKey(), clientCertificate.certificate());
            }
            return builder.build();
        } catch (SSLException e) {
            throw new PkiException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * A JDK {@link SSLContext} trusting only {@code trustedCa} and presenting
     * {@code clientCertificate} when it is not null: for {@code java.net.http.HttpClient},
     * {@code HttpsURLConnection} and fabric8 in tests, benchmarks and in-process clients. The JDK
     * refuses TLS below 1.2 by default; pass {@link #PROTOCOLS} in SSLParameters to be explicit.
     */
    public static SSLContext clientSSLContext(X509Certificate trustedCa, CertifiedKey clientCertificate) {
        return clientSSLContext(List.of(trustedCa), clientCertificate);
    }

    /** {@link #clientSSLContext(X509Certificate, CertifiedKey)} trusting several CAs (a CA bundle). */
    public static SSLContext clientSSLContext(Collection<X509Certificate> trustedCas, CertifiedKey clientCertificate) {
        if (trustedCas.isEmpty()) throw new IllegalArgumentException("a client SSLContext needs at least one trusted CA");
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            int index = 0;
            for (X509Certificate trustedCa : trustedCas) trustStore.setCertificateEntry("ca-" + index++, trustedCa);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);

            KeyManagerFactory keyManagers = null;
            if (clientCertificate != null) {
                char[] password = new char[0]; // in-memory store only; never written
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry("client", clientCertificate.privateKey(), password,
                        new X509Certificate[] {clientCertificate.certificate()});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keyStore, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                    trustManagers.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot build a TLS client SSLContext: " + e.getMessage(), e);
        }
    }

    /** Trust managers that trust exactly {@code trustedCas}, for clients that bring their own key managers. */
    public static javax.net.ssl.TrustManager[] trustManagers(Collection<X509Certificate> trustedCas) {
        if (trustedCas.isEmpty()) throw new IllegalArgumentException("trust managers need at least one trusted CA");
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            int index = 0;
            for (X509Certificate trustedCa : trustedCas) trustStore.setCertificateEntry("ca-" + index++, trustedCa);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            return trustManagers.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot build trust managers: " + e.getMessage(), e);
        }
    }

    /** {@link #clientSSLContext(X509Certificate, CertifiedKey)} for a kubeconfig's CA and client certificate. */
    public static SSLContext clientSSLContext(Kubeconfig kubeconfig) {
        CertifiedKey clientCertificate = kubeconfig.credentials() instanceof Kubeconfig.ClientCertificate c
                ? c.certifiedKey() : null;
        return clientSSLContext(kubeconfig.certificateAuthorities(), clientCertificate);
    }
}
