package dev.berth.core.controller.certificates;

import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;

/**
 * When a CertificateSigningRequest is garbage, as Kubernetes' csrcleaner decides: approved or
 * issued requests 1 hour after approval, denied and failed ones 1 hour after that, pending ones 24
 * hours after creation, and any request whose issued certificate has expired at once. The
 * certificate lives on in its holder's files; the request is only the paper trail. Pure.
 */
public final class CsrCleanup {
    public static final Duration APPROVED_TTL = Duration.ofHours(1);
    public static final Duration DENIED_TTL = Duration.ofHours(1);
    public static final Duration PENDING_TTL = Duration.ofHours(24);

    private CsrCleanup() {
    }

    /** When {@code csr} becomes garbage, and why. */
    public record Expiry(Instant at, String why) {}

    /** When {@code csr} is to be deleted; empty when it has no creation time to go by. */
    public static Optional<Expiry> expiry(CertificateSigningRequest csr) {
        Optional<Instant> notAfter = certificateNotAfter(csr);
        Optional<Instant> approved = conditionTime(csr, "Approved");
        Optional<Instant> refused = conditionTime(csr, "Denied").or(() -> conditionTime(csr, "Failed"));
        Expiry due = null;
        if (refused.isPresent()) {
            due = new Expiry(refused.get().plus(DENIED_TTL), "it was denied or failed more than " + DENIED_TTL.toHours() + "h ago");
        } else if (approved.isPresent()) {
            due = new Expiry(approved.get().plus(APPROVED_TTL), "it was approved more than " + APPROVED_TTL.toHours() + "h ago");
        } else {
            Optional<Instant> created = parse(csr.getMetadata() == null ? null : csr.getMetadata().getCreationTimestamp());
            if (created.isPresent()) {
                due = new Expiry(created.get().plus(PENDING_TTL), "it was pending for more than " + PENDING_TTL.toHours() + "h");
            }
        }
        if (notAfter.isPresent() && (due == null || notAfter.get().isBefore(due.at()))) {
            due = new Expiry(notAfter.get(), "its certificate expired");
        }
        return Optional.ofNullable(due);
    }

    private static Optional<Instant> conditionTime(CertificateSigningRequest csr, String type) {
        if (csr.getStatus() == null || csr.getStatus().getConditions() == null) return Optional.empty();
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if (type.equals(c.getType()) && !"False".equals(c.getStatus())) {
                Optional<Instant> at = parse(c.getLastUpdateTime()).or(() -> parse(c.getLastTransitionTime()));
                if (at.isPresent()) return at;
                return parse(csr.getMetadata() == null ? null : csr.getMetadata().getCreationTimestamp());
            }
        }
        return Optional.empty();
    }

    private static Optional<Instant> certificateNotAfter(CertificateSigningRequest csr) {
        String certificate = csr.getStatus() == null ? null : csr.getStatus().getCertificate();
        if (certificate == null || certificate.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Pem.parseCertificate(new String(Base64.getDecoder().decode(certificate),
                    StandardCharsets.US_ASCII), "status.certificate").getNotAfter().toInstant());
        } catch (PkiException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> parse(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
