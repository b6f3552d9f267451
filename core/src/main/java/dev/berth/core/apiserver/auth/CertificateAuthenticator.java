package dev.berth.core.apiserver.auth;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.pki.CertificateRejectedException;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Identity;

import java.util.Optional;

/** TLS client certificates signed by the cluster CA: CN is the user, O the groups. */
public final class CertificateAuthenticator implements Authenticator {
    private final ClusterCa ca;

    public CertificateAuthenticator(ClusterCa ca) {
        this.ca = ca;
    }

    @Override
    public Optional<UserInfo> authenticate(ApiRequest request) {
        if (request.clientCertificates() == null || request.clientCertificates().length == 0) {
            return Optional.empty();
        }
        try {
            Identity id = ca.verifyClientChain(request.clientCertificates());
            return Optional.of(new UserInfo(id.user(), id.groups()));
        } catch (CertificateRejectedException e) {
            throw new ApiException(401, "Unauthorized", "Unauthorized: " + e.getMessage());
        }
    }
}
