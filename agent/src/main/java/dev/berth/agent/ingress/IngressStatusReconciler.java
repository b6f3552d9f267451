package dev.berth.agent.ingress;

import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps this node's address in {@code status.loadBalancer.ingress} of the Ingresses it serves, and
 * out of those it does not serve (any more): each ingress node adds its own entry, so an Ingress
 * lists every node that answers for it. Written through the status subresource with the cached
 * resourceVersion; a conflict requeues the key.
 */
final class IngressStatusReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(IngressStatusReconciler.class);
    static final Duration ADDRESS_RETRY = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final Function<String, Ingress> ingresses;
    private final Supplier<List<IngressClass>> classes;
    private final Supplier<Optional<String>> nodeAddress;
    private volatile boolean serving;

    IngressStatusReconciler(KubernetesClient client, Function<String, Ingress> ingresses,
                            Supplier<List<IngressClass>> classes, Supplier<Optional<String>> nodeAddress) {
        this.client = Objects.requireNonNull(client, "client");
        this.ingresses = ingresses;
        this.classes = classes;
        this.nodeAddress = nodeAddress;
    }

    /** From now on the node's address goes into the Ingresses served (the proxy listens). */
    void startServing() {
        serving = true;
    }

    /** From now on the node's address is taken out of every Ingress (the controller is stopping). */
    void stopServing() {
        serving = false;
    }

    @Override
    public Result reconcile(String key) {
        Ingress ing = ingresses.apply(key);
        if (ing == null) return Result.done();
        Optional<String> address = nodeAddress.get();
        if (address.isEmpty()) return Result.requeueAfter(ADDRESS_RETRY);
        boolean wanted = serving && IngressClasses.serves(ing, classes.get());
        List<IngressLoadBalancerIngress> updated = desired(ing, address.get(), wanted);
        if (updated == null) return Result.done();
        Ingress copy = new IngressBuilder(ing).editOrNewStatus().editOrNewLoadBalancer().withIngress(updated)
                .endLoadBalancer().endStatus().build();
        try {
            client.network().v1().ingresses().inNamespace(Keys.namespace(key)).resource(copy).updateStatus();
            log.debug("ingress {}: {} {} in status.loadBalancer", key, wanted ? "added" : "removed", address.get());
            return Result.done();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) return Result.done();
            if (e.getCode() == 409) return Result.requeue();   // the cache is behind; the watch brings the new version
            throw e;
        }
    }

    /**
     * Takes this node's address out of the Ingress now, reading it afresh on conflicts (for the
     * controller's stop, when the queue no longer runs).
     */
    void removeNow(String key, String address) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Ingress fresh = client.network().v1().ingresses().inNamespace(Keys.namespace(key)).withName(Keys.name(key)).get();
            if (fresh == null) return;
            List<IngressLoadBalancerIngress> updated = desired(fresh, address, false);
            if (updated == null) return;
            Ingress copy = new IngressBuilder(fresh).editOrNewStatus().editOrNewLoadBalancer().withIngress(updated)
                    .endLoadBalancer().endStatus().build();
            try {
                client.network().v1().ingresses().inNamespace(Keys.namespace(key)).resource(copy).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return;
                if (e.getCode() != 409) throw e;
            }
        }
        log.warn("ingress {}: could not remove {} from status.loadBalancer after 5 conflicts", key, address);
    }

    /** Whether the Ingress's status lists {@code address}. */
    static boolean lists(Ingress ing, String address) {
        return current(ing).stream().anyMatch(i -> address.equals(i.getIp()));
    }

    /** The entries the status should have, or null when it already has them. */
    static List<IngressLoadBalancerIngress> desired(Ingress ing, String address, boolean wanted) {
        List<IngressLoadBalancerIngress> current = current(ing);
        boolean has = current.stream().anyMatch(i -> address.equals(i.getIp()));
        if (has == wanted) return null;
        List<IngressLoadBalancerIngress> updated = new ArrayList<>();
        for (IngressLoadBalancerIngress i : current) {
            if (!address.equals(i.getIp())) updated.add(i);
        }
        if (wanted) updated.add(new IngressLoadBalancerIngressBuilder().withIp(address).build());
        // a stable order, as ingress-nginx sorts its addresses, so nodes do not fight over it
        updated.sort(Comparator.comparing((IngressLoadBalancerIngress i) -> i.getIp() == null ? "" : i.getIp())
                .thenComparing(i -> i.getHostname() == null ? "" : i.getHostname()));
        return updated;
    }

    private static List<IngressLoadBalancerIngress> current(Ingress ing) {
        if (ing.getStatus() == null || ing.getStatus().getLoadBalancer() == null
                || ing.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ing.getStatus().getLoadBalancer().getIngress();
    }
}
