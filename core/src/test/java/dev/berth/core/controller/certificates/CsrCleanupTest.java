package dev.berth.core.controller.certificates;

import dev.berth.core.controller.runtime.FakeClock;
import dev.berth.core.pki.ClusterCa;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CsrCleanupTest {
    static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private static CertificateSigningRequestBuilder csr() {
        return new CertificateSigningRequestBuilder().withNewMetadata().withName("node-csr-1")
                .withCreationTimestamp(CREATED.toString()).endMetadata();
    }

    @Test
    void aPendingRequestIsKeptADay() {
        assertThat(CsrCleanup.expiry(csr().build())).hasValueSatisfying(e -> {
            assertThat(e.at()).isEqualTo(CREATED.plus(Duration.ofHours(24)));
            assertThat(e.why()).contains("pending");
        });
    }

    @Test
    void anApprovedRequestIsKeptAnHourAfterApproval() {
        CertificateSigningRequest approved = csr().withNewStatus().addNewCondition().withType("Approved").withStatus("True")
                .withLastUpdateTime(CREATED.plus(Duration.ofMinutes(2)).toString()).endCondition().endStatus().build();
        assertThat(CsrCleanup.expiry(approved)).hasValueSatisfying(e ->
                assertThat(e.at()).isEqualTo(CREATED.plus(Duration.ofMinutes(62))));
    }

    @Test
    void aDeniedRequestIsKeptAnHourAfterTheDenial() {
        CertificateSigningRequest denied = csr().withNewStatus().addNewCondition().withType("Denied").withStatus("True")
                .withLastUpdateTime(CREATED.plus(Duration.ofMinutes(5)).toString()).endCondition().endStatus().build();
        assertThat(CsrCleanup.expiry(denied)).hasValueSatisfying(e -> {
            assertThat(e.at()).isEqualTo(CREATED.plus(Duration.ofMinutes(65)));
            assertThat(e.why()).contains("denied");
        });
    }

    @Test
    void aRequestWhoseCertificateExpiredGoesAtOnce(@TempDir Path dir) {
        FakeClock clock = new FakeClock(CREATED);
        String pem = ClusterCa.loadOrCreate(dir, clock).issueClient("system:node:a", List.of("system:nodes"),
                Duration.ofMinutes(10)).certificatePem();
        CertificateSigningRequest issued = csr().withNewStatus().addNewCondition().withType("Approved").withStatus("True")
                .withLastUpdateTime(CREATED.toString()).endCondition()
                .withCertificate(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))).endStatus().build();
        assertThat(CsrCleanup.expiry(issued)).hasValueSatisfying(e -> {
            assertThat(e.at()).isEqualTo(CREATED.plus(Duration.ofMinutes(10)));
            assertThat(e.why()).isEqualTo("its certificate expired");
        });
    }
}
