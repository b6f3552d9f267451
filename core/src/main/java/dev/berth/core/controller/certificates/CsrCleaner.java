package dev.berth.core.controller.certificates;

import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.LoopComponent;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The {@code csrcleaner} controller: garbage-collects CertificateSigningRequests as Kubernetes
 * does ({@link CsrCleanup}), so that renewals every few months do not pile requests up.
 */
public final class CsrCleaner implements LoopComponent {
    public static final String NAME = "csrcleaner";

    private final ControlLoop loop;

    public CsrCleaner(ControllerContext context) {
        this.loop = new ControlLoop(NAME, context, new CsrCleanerReconciler(context), 1);
        context.informers().of(CertificateSigningRequest.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                loop.enqueue(csr);
            }

            @Override
            public void onUpdate(CertificateSigningRequest oldCsr, CertificateSigningRequest csr) {
                loop.enqueue(csr);
            }

            @Override
            public void onDelete(CertificateSigningRequest csr, boolean deletedFinalStateUnknown) {
            }
        });
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
