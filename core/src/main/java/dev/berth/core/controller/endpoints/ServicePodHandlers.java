package dev.berth.core.controller.endpoints;

import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.Informers;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.Objects;

/**
 * Informer handlers shared by the endpoints and EndpointSlice controllers: a Service enqueues
 * itself; a pod enqueues the Services of its namespace that select it (before or after a change).
 */
public final class ServicePodHandlers {
    private ServicePodHandlers() {
    }

    public static void register(Informers informers, ControlLoop loop) {
        informers.of(Service.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                loop.enqueue(s);
            }

            @Override
            public void onUpdate(Service before, Service s) {
                loop.enqueue(s);
            }

            @Override
            public void onDelete(Service s, boolean deletedFinalStateUnknown) {
                loop.enqueue(s);
            }
        });
        informers.of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueServices(informers, loop, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                if (Objects.equals(before.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
                    return;   // a resync: nothing changed
                }
                enqueueServices(informers, loop, pod);
                if (!Objects.equals(before.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
                    enqueueServices(informers, loop, before);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                enqueueServices(informers, loop, pod);
            }
        });
    }

    private static void enqueueServices(Informers informers, ControlLoop loop, Pod pod) {
        for (Service s : informers.inNamespace(Service.class, pod.getMetadata().getNamespace())) {
            if (PodEndpoints.selects(s, pod)) {
                loop.enqueue(Keys.of(s));
            }
        }
    }
}
