package dev.berth.agent.ingress;

import dev.berth.core.pki.Pem;
import dev.berth.core.pki.Tls;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The certificates the ingress presents, chosen by SNI: each {@code spec.tls[]} entry of a served
 * Ingress maps its hosts (precise or {@code *.wildcard}) to its Secret, which must be of type
 * {@value #TLS_TYPE} with PEM {@code tls.crt} (the chain, leaf first) and {@code tls.key} matching
 * it. An entry without hosts, a name no entry covers, and clients without SNI get the default
 * certificate: a self-signed one the controller makes at start (as ingress-nginx's "Fake
 * Certificate"). A Secret that is missing or invalid is skipped with a warning naming it and the rule broken.
 */
public final class IngressCertificates implements Mapping<String, SslContext> {
    public static final String TLS_TYPE = "kubernetes.io/tls";
    /** Subject of the self-signed fallback certificate. */
    public static final String FALLBACK_SUBJECT = "CN=Berth Ingress Controller Fake Certificate,O=Berth";

    private static final Logger log = LoggerFactory.getLogger(IngressCertificates.class);
    private static final ApplicationProtocolConfig HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);

    private final SslContext fallback;
    private final X509Certificate fallbackCertificate;
    /** Contexts by Secret uid and resourceVersion, so that an unchanged Secret is parsed once. */
    private final Map<String, SslContext> contexts = new ConcurrentHashMap<>();
    private final Map<String, String> warned = new ConcurrentHashMap<>();
    private volatile Table table;

    private record Table(Map<String, SslContext> exact, Map<String, SslContext> wildcard, SslContext fallback) {
    }

    public IngressCertificates(Clock clock) {
        CertifiedPair pair = selfSigned(clock);
        this.fallbackCertificate = pair.certificate();
        this.fallback = context(pair.key(), List.of(pair.certificate()));
        this.table = new Table(Map.of(), Map.of(), fallback);
    }

    /** The self-signed certificate given when no Secret covers the name. */
    public X509Certificate fallbackCertificate() {
        return fallbackCertificate;
    }

    /**
     * Recomputes the SNI table from the served Ingresses (oldest first: the first Ingress naming a
     * host keeps it).
     *
     * @param secrets the Secret of a namespace and name, or null
     */
    public void update(List<Ingress> ingresses, BiFunction<String, String, Secret> secrets) {
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> wildcard = new HashMap<>();
        SslContext defaultContext = null;
        List<String> used = new ArrayList<>();
        for (Ingress ing : ingresses) {
            if (ing.getSpec() == null || ing.getSpec().getTls() == null) continue;
            String ns = ing.getMetadata().getNamespace();
            for (IngressTLS tls : ing.getSpec().getTls()) {
                if (tls.getSecretName() == null || tls.getSecretName().isEmpty()) continue;
                SslContext ctx = contextOf(ns, tls.getSecretName(), secrets, ns + "/" + ing.getMetadata().getName(), used);
                if (ctx == null) continue;
                List<String> hosts = tls.getHosts() == null ? List.of() : tls.getHosts();
                if (hosts.isEmpty() && defaultContext == null) defaultContext = ctx;
                for (String h : hosts) {
                    String host = h.toLowerCase(Locale.ROOT);
                    if (host.startsWith("*.")) wildcard.putIfAbsent(host.substring(1), ctx);
                    else exact.putIfAbsent(host, ctx);
                }
            }
        }
        contexts.keySet().retainAll(used);
        table = new Table(Map.copyOf(exact), Map.copyOf(wildcard), defaultContext != null ? defaultContext : fallback);
    }

    /** The context for an SNI name (null: the client sent none). */
    @Override
    public SslContext map(String serverName) {
        Table t = table;
        if (serverName == null || serverName.isEmpty()) return t.fallback();
        String host = serverName.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        SslContext ctx = t.exact().get(host);
        if (ctx != null) return ctx;
        int dot = host.indexOf('.');
        if (dot > 0) {
            ctx = t.wildcard().get(host.substring(dot));
            if (ctx != null) return ctx;
        }
        return t.fallback();
    }

    private SslContext contextOf(String ns, String name, BiFunction<String, String, Secret> secrets, String ingressKey,
                                 List<String> used) {
        Secret secret = secrets.apply(ns, name);
        String where = "secret " + ns + "/" + name + " (spec.tls of ingress " + ingressKey + ")";
        if (secret == null) {
            warnOnce(where, "does not exist");
            return null;
        }
        String version = secret.getMetadata().getUid() + "@" + secret.getMetadata().getResourceVersion();
        used.add(version);
        SslContext cached = contexts.get(version);
        if (cached != null) return cached;
        try {
            SslContext ctx = parse(secret);
            contexts.put(version, ctx);
            return ctx;
        } catch (IllegalArgumentException e) {
            warnOnce(where, e.getMessage());
            return null;
        }
    }

    private void warnOnce(String where, String problem) {
        if (!problem.equals(warned.put(where, problem))) {
            log.warn("ingress TLS: {} {}; the default certificate is served instead", where, problem);
        }
    }

    /**
     * A server context from a TLS Secret.
     *
     * @throws IllegalArgumentException naming the field and the rule broken
     */
    static SslContext parse(Secret secret) {
        if (!TLS_TYPE.equals(secret.getType())) {
            throw new IllegalArgumentException("has type \"" + secret.getType() + "\"; it must be " + TLS_TYPE);
        }
        String certPem = field(secret, "tls.crt");
        String keyPem = field(secret, "tls.key");
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.parseCertificates(certPem, "tls.crt");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("data[tls.crt] is not a PEM certificate chain: " + e.getMessage());
        }
        if (chain.isEmpty()) throw new IllegalArgumentException("data[tls.crt] holds no certificate");
        try {
            key = Pem.parsePrivateKey(keyPem, "tls.key");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("data[tls.key] is not a PEM private key: " + e.getMessage());
        }
        if (!keyMatches(key, chain.getFirst())) {
            throw new IllegalArgumentException("data[tls.key] does not match the first certificate of data[tls.crt]");
        }
        return context(key, chain);
    }

    private static String field(Secret secret, String name) {
        String value = secret.getData() == null ? null : secret.getData().get(name);
        if (value != null) {
            try {
                return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data[" + name + "] is not base64");
            }
        }
        String plain = secret.getStringData() == null ? null : secret.getStringData().get(name);
        if (plain == null || plain.isBlank()) throw new IllegalArgumentException("has no data[" + name + "]");
        return plain;
    }

    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) return false;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static SslContext context(PrivateKey key, List<X509Certificate> chain) {
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(Tls.PROTOCOLS)
                    .ciphers(Tls.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(HTTP_1_1)
                    .build();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot serve its certificate: " + e.getMessage(), e);
        }
    }

    private record CertifiedPair(X509Certificate certificate, PrivateKey key) {
    }

    private static CertifiedPair selfSigned(Clock clock) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500Name(FALLBACK_SUBJECT);
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))), subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "ingress.local")));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new CertifiedPair(certificate, pair.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the ingress's self-signed certificate: " + e.getMessage(), e);
        }
    }
}
