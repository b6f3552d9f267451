package dev.berth.core.apiserver.admission;

import dev.berth.core.api.ApiException;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Signs approved CertificateSigningRequests with the cluster CA as the approval is written, for
 * the Kubernetes client signers (users and nodes get their certificates this way).
 */
public final class CsrSigning implements AdmissionPlugin {
    private static final Set<String> SIGNERS = Set.of("kubernetes.io/kube-apiserver-client",
            "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving");
    private static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    private final ClusterCa ca;
    private final Duration defaultValidity;

    public CsrSigning(ClusterCa ca) {
        this(ca, DEFAULT_VALIDITY);
    }

    /**
     * @param defaultValidity how long a certificate is valid when the request sets no
     *                        {@code spec.expirationSeconds} (kube-controller-manager's
     *                        {@code --cluster-signing-duration}); a requested duration is honoured up to it
     */
    public CsrSigning(ClusterCa ca, Duration defaultValidity) {
        this.ca = ca;
        this.defaultValidity = defaultValidity;
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof CertificateSigningRequest csr) || r.operation() != AdmissionRequest.Operation.UPDATE
                || csr.getSpec() == null || csr.getStatus() == null) {
            return;
        }
        if (!SIGNERS.contains(csr.getSpec().getSignerName())) {
            return;
        }
        boolean approved = false;
        boolean denied = false;
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if ("True".equals(c.getStatus()) || c.getStatus() == null) {
                approved |= "Approved".equals(c.getType());
                denied |= "Denied".equals(c.getType()) || "Failed".equals(c.getType());
            }
        }
        if (!approved || denied || (csr.getStatus().getCertificate() != null && !csr.getStatus().getCertificate().isEmpty())) {
            return;
        }
        // as Kubernetes' signer: at least 10 minutes, at most the signing duration
        Duration validity = csr.getSpec().getExpirationSeconds() != null
                ? Duration.ofSeconds(Math.min(defaultValidity.toSeconds(), Math.max(600, csr.getSpec().getExpirationSeconds())))
                : defaultValidity;
        Set<String> usages = new HashSet<>(csr.getSpec().getUsages());
        try {
            byte[] pem = Base64.getDecoder().decode(csr.getSpec().getRequest());
            String cert = ca.signCsr(pem, validity, usages);
            csr.getStatus().setCertificate(Base64.getEncoder().encodeToString(cert.getBytes(StandardCharsets.US_ASCII)));
        } catch (PkiException | IllegalArgumentException e) {
            throw new ApiException(422, "Invalid", "CertificateSigningRequest \"" + csr.getMetadata().getName()
                    + "\" cannot be signed: " + e.getMessage());
        }
    }
}
