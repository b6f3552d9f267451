package dev.berth.agent.ingress;

import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.ClusterCa;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.berth.agent.ingress.IngressFixtures.ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngressCertificatesTest {
    @TempDir
    Path dir;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static Secret tlsSecret(String name, CertifiedKey key) {
        return new SecretBuilder().withNewMetadata().withNamespace("default").withName(name).withUid(name + "-uid")
                .withResourceVersion("1").endMetadata().withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", b64(key.certificatePem()), "tls.key", b64(key.privateKeyPem()))).build();
    }

    @Test
    void picksTheSecretBySniPreciseThenWildcardElseTheSelfSignedCertificate() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, Clock.systemUTC());
        Secret precise = tlsSecret("precise", ca.issueServing(Set.of("a.lab"), Set.of(), Duration.ofDays(1)));
        Secret wildcard = tlsSecret("wildcard", ca.issueServing(Set.of("*.lab"), Set.of(), Duration.ofDays(1)));
        var ing = ingress("default", "web", "2026-01-01T00:00:00Z", null);
        ing.getSpec().setTls(List.of(
                new io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder().withHosts("a.lab").withSecretName("precise").build(),
                new io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder().withHosts("*.lab").withSecretName("wildcard").build(),
                new io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder().withHosts("gone.example").withSecretName("missing").build()));
        IngressCertificates certificates = new IngressCertificates(Clock.systemUTC());
        Map<String, Secret> secrets = Map.of("precise", precise, "wildcard", wildcard);

        certificates.update(List.of(ing), (ns, name) -> secrets.get(name));

        SslContext fallback = certificates.map(null);
        assertThat(certificates.map("a.lab")).isNotSameAs(fallback);
        assertThat(certificates.map("b.lab")).isNotSameAs(fallback).isNotSameAs(certificates.map("a.lab"));
        assertThat(certificates.map("x.b.lab")).isSameAs(fallback);
        assertThat(certificates.map("gone.example")).isSameAs(fallback);
        assertThat(certificates.fallbackCertificate().getSubjectX500Principal().getName()).contains("Fake Certificate");
    }

    @Test
    void rejectsSecretsThatAreNotUsableNamingTheRule() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, Clock.systemUTC());
        CertifiedKey one = ca.issueServing(Set.of("a.lab"), Set.of(), Duration.ofDays(1));
        CertifiedKey two = ca.issueServing(Set.of("b.lab"), Set.of(), Duration.ofDays(1));
        Secret opaque = new SecretBuilder(tlsSecret("s", one)).withType("Opaque").build();
        Secret mismatched = new SecretBuilder(tlsSecret("s", one))
                .withData(Map.of("tls.crt", b64(one.certificatePem()), "tls.key", b64(two.privateKeyPem()))).build();
        Secret noKey = new SecretBuilder(tlsSecret("s", one)).withData(Map.of("tls.crt", b64(one.certificatePem()))).build();

        assertThatThrownBy(() -> IngressCertificates.parse(opaque)).hasMessage("has type \"Opaque\"; it must be kubernetes.io/tls");
        assertThatThrownBy(() -> IngressCertificates.parse(mismatched))
                .hasMessage("data[tls.key] does not match the first certificate of data[tls.crt]");
        assertThatThrownBy(() -> IngressCertificates.parse(noKey)).hasMessage("has no data[tls.key]");
        assertThat(IngressCertificates.parse(tlsSecret("s", one))).isNotNull();
    }
}
