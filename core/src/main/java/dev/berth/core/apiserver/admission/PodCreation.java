package dev.berth.core.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.List;
import java.util.Map;

/**
 * What the API server sets on a new pod: phase Pending, the QoS class, and the default service
 * account.
 */
public final class PodCreation implements AdmissionPlugin {

    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof Pod pod) || r.operation() != AdmissionRequest.Operation.CREATE) {
            return;
        }
        if (pod.getSpec() != null) {
            if (pod.getSpec().getServiceAccountName() == null || pod.getSpec().getServiceAccountName().isEmpty()) {
                pod.getSpec().setServiceAccountName("default");
            }
            pod.getSpec().setServiceAccount(pod.getSpec().getServiceAccountName());
        }
        PodStatus status = new PodStatus();
        status.setPhase("Pending");
        status.setQosClass(qosClass(pod));
        pod.setStatus(status);
    }

    /** Guaranteed, Burstable or BestEffort, from the containers' requests and limits. */
    static String qosClass(Pod pod) {
        if (pod.getSpec() == null) {
            return "BestEffort";
        }
        List<Container> all = new java.util.ArrayList<>(pod.getSpec().getContainers());
        all.addAll(pod.getSpec().getInitContainers());
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : all) {
            ResourceRequirements res = c.getResources();
            Map<String, Quantity> req = res == null || res.getRequests() == null ? Map.of() : res.getRequests();
            Map<String, Quantity> lim = res == null || res.getLimits() == null ? Map.of() : res.getLimits();
            for (String k : List.of("cpu", "memory")) {
                if (req.containsKey(k) || lim.containsKey(k)) {
                    any = true;
                }
                Quantity l = lim.get(k);
                Quantity q = req.getOrDefault(k, l);
                if (l == null || q == null || q.getNumericalAmount().compareTo(l.getNumericalAmount()) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
