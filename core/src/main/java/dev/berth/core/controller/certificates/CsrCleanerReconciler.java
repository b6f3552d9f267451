package dev.berth.core.controller.certificates;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Deletes one CertificateSigningRequest once {@link CsrCleanup} says it is garbage, else looks again later. */
final class CsrCleanerReconciler implements Reconciler<String> {
    /** The longest wait between two looks at one request (Kubernetes' csrcleaner polls hourly). */
    static final Duration POLL = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(CsrCleanerReconciler.class);

    private final ControllerContext context;

    CsrCleanerReconciler(ControllerContext context) {
        this.context = context;
    }

    @Override
    public Result reconcile(String key) {
        CertificateSigningRequest csr = context.informers().get(CertificateSigningRequest.class, key);
        if (csr == null) return Result.done();
        Optional<CsrCleanup.Expiry> expiry = CsrCleanup.expiry(csr);
        if (expiry.isEmpty()) return Result.done();
        Instant now = context.clock().instant();
        if (now.isBefore(expiry.get().at())) {
            Duration wait = Duration.between(now, expiry.get().at());
            return Result.requeueAfter(wait.compareTo(POLL) < 0 ? wait : POLL);
        }
        try {
            context.client().certificates().v1().certificateSigningRequests().withName(key).delete();
            log.info("deleted certificatesigningrequest {}: {}", key, expiry.get().why());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) throw e;
        }
        return Result.done();
    }
}
