package dev.berth.core.apiserver.admission;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;

import java.util.List;

/**
 * Records who asked for a certificate: on create, {@code spec.username} and {@code spec.groups} of a
 * CertificateSigningRequest become the authenticated requestor's, whatever the client sent, as
 * kube-apiserver does. Approvers decide on these fields, so a client must not be able to choose them.
 */
public final class CsrRequestor implements AdmissionPlugin {
    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof CertificateSigningRequest csr) || r.operation() != AdmissionRequest.Operation.CREATE
                || csr.getSpec() == null) {
            return;
        }
        if (r.user() == null) {
            csr.getSpec().setUsername(null);
            csr.getSpec().setGroups(List.of());
        } else {
            csr.getSpec().setUsername(r.user().name());
            csr.getSpec().setGroups(List.copyOf(r.user().groups()));
        }
        csr.getSpec().setUid(null);
        csr.getSpec().setExtra(null);
    }
}
