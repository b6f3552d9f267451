package dev.berth.core.controller.certificates;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/** Approves one pending kubelet-serving request when {@link KubeletServingPolicy} allows it. */
final class KubeletServingReconciler implements Reconciler<String> {
    static final String REASON = "AutoApproved";
    private static final Logger log = LoggerFactory.getLogger(KubeletServingReconciler.class);

    private final ControllerContext context;

    KubeletServingReconciler(ControllerContext context) {
        this.context = context;
    }

    /** Neither approved nor denied nor failed yet. */
    static boolean pending(CertificateSigningRequest csr) {
        if (csr.getStatus() == null || csr.getStatus().getConditions() == null) return true;
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if (("Approved".equals(c.getType()) || "Denied".equals(c.getType()) || "Failed".equals(c.getType()))
                    && !"False".equals(c.getStatus())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Result reconcile(String key) {
        CertificateSigningRequest csr = context.informers().get(CertificateSigningRequest.class, key);
        if (csr == null || !pending(csr) || csr.getSpec() == null) {
            return Result.done();
        }
        boolean client = NodeClientPolicy.SIGNER.equals(csr.getSpec().getSignerName());
        if (!client && !KubeletServingPolicy.SIGNER.equals(csr.getSpec().getSignerName())) {
            return Result.done();
        }
        KubeletServingPolicy.Verdict verdict;
        if (client) {
            verdict = NodeClientPolicy.decide(csr);
        } else {
            Node node = KubeletServingPolicy.requestingNode(csr)
                    .map(n -> context.informers().get(Node.class, n)).orElse(null);
            verdict = KubeletServingPolicy.decide(csr, node);
        }
        switch (verdict) {
            case KubeletServingPolicy.Verdict.Leave leave -> {
                log.info("certificatesigningrequest {} left for a person to approve: {}", key, leave.reason());
                return Result.done();
            }
            case KubeletServingPolicy.Verdict.Approve approve -> {
                // the cache may lag behind an approval this controller just wrote: approve once only
                CertificateSigningRequest fresh = context.client().certificates().v1().certificateSigningRequests()
                        .withName(key).get();
                if (fresh == null || !pending(fresh)) {
                    return Result.done();
                }
                CertificateSigningRequestCondition approved = new CertificateSigningRequestConditionBuilder()
                        .withType("Approved").withStatus("True").withReason(REASON)
                        .withMessage(client
                                ? "Auto approving kubelet client certificate of node " + approve.nodeName()
                                        + " requested by " + csr.getSpec().getUsername()
                                : "Auto approving kubelet serving certificate of node " + approve.nodeName()
                                        + ": requestor, subject, usages and names match the node")
                        .withLastUpdateTime(context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                        .build();
                try {
                    context.client().certificates().v1().certificateSigningRequests().withName(key).approve(approved);
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) return Result.done();
                    throw e;
                }
                log.info("approved certificatesigningrequest {} of node {}", key, approve.nodeName());
                return Result.done();
            }
        }
    }
}
