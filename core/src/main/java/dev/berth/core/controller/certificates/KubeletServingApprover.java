package dev.berth.core.controller.certificates;

import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.LoopComponent;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The {@code certificates} controller: approves the serving-certificate requests of nodes that
 * {@link KubeletServingPolicy} allows, and the client-certificate requests of joining or renewing
 * nodes that {@link NodeClientPolicy} allows (the signing itself happens as the approval is written).
 * Requests it may not approve are left pending for a person ({@code kubectl certificate approve}).
 * A request waiting for its Node is looked at again when that Node appears or changes.
 */
public final class KubeletServingApprover implements LoopComponent {
    public static final String NAME = "certificates";
    public static final int DEFAULT_WORKERS = 1;

    private final ControlLoop loop;

    public KubeletServingApprover(ControllerContext context) {
        Informers informers = context.informers();
        this.loop = new ControlLoop(NAME, context, new KubeletServingReconciler(context), DEFAULT_WORKERS);
        informers.of(CertificateSigningRequest.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                enqueueIfPending(csr);
            }

            @Override
            public void onUpdate(CertificateSigningRequest oldCsr, CertificateSigningRequest csr) {
                enqueueIfPending(csr);
            }

            @Override
            public void onDelete(CertificateSigningRequest csr, boolean deletedFinalStateUnknown) {
            }
        });
        informers.of(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                enqueueRequestsOf(node);
            }

            @Override
            public void onUpdate(Node oldNode, Node node) {
                enqueueRequestsOf(node);
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
            }

            private void enqueueRequestsOf(Node node) {
                String user = KubeletServingPolicy.NODE_USER_PREFIX + node.getMetadata().getName();
                for (CertificateSigningRequest csr : informers.list(CertificateSigningRequest.class)) {
                    if (csr.getSpec() != null && user.equals(csr.getSpec().getUsername())) {
                        enqueueIfPending(csr);
                    }
                }
            }
        });
    }

    private void enqueueIfPending(CertificateSigningRequest csr) {
        if (csr.getSpec() != null && (KubeletServingPolicy.SIGNER.equals(csr.getSpec().getSignerName())
                || NodeClientPolicy.SIGNER.equals(csr.getSpec().getSignerName()))
                && KubeletServingReconciler.pending(csr)) {
            loop.enqueue(csr);
        }
    }

    @Override
    public ControlLoop loop() {
        return loop;
    }
}
