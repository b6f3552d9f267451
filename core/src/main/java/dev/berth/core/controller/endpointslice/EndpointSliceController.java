package dev.berth.core.controller.endpointslice;

import dev.berth.core.controller.endpoints.ServicePodHandlers;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.Map;

/**
 * The EndpointSlice controller: Service, pod, node and EndpointSlice informers feeding an
 * {@link EndpointSliceReconciler} keyed by Service. A managed slice changed or deleted by someone
 * else brings its Service back into the queue.
 */
public final class EndpointSliceController implements Component {
    public static final String NAME = "endpointslice";
    public static final int DEFAULT_WORKERS = 2;

    private final ControllerContext context;
    private final ControlLoop loop;

    public EndpointSliceController(ControllerContext context, int workers) {
        this(context, workers, EndpointSliceReconciler.DEFAULT_MAX_ENDPOINTS_PER_SLICE);
    }

    public EndpointSliceController(ControllerContext context, int workers, int maxEndpointsPerSlice) {
        this.context = context;
        this.loop = new ControlLoop(NAME, context, new EndpointSliceReconciler(context.client(), context.informers(),
                context.events(), maxEndpointsPerSlice, context.clock()), workers);
    }

    public ControlLoop loop() {
        return loop;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        ServicePodHandlers.register(context.informers(), loop);
        context.informers().of(Node.class);
        context.informers().of(Namespace.class);
        context.informers().of(EndpointSlice.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
            }

            @Override
            public void onUpdate(EndpointSlice before, EndpointSlice s) {
                if (!java.util.Objects.equals(before.getMetadata().getResourceVersion(),
                        s.getMetadata().getResourceVersion())) {
                    enqueueService(s);
                }
            }

            @Override
            public void onDelete(EndpointSlice s, boolean deletedFinalStateUnknown) {
                enqueueService(s);
            }
        });
        loop.start();
    }

    private void enqueueService(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        if (labels != null && EndpointSliceReconciler.CONTROLLER_NAME.equals(labels.get(EndpointSliceReconciler.MANAGED_BY_LABEL))
                && labels.get(EndpointSliceReconciler.SERVICE_NAME_LABEL) != null) {
            loop.enqueue(Keys.of(s.getMetadata().getNamespace(), labels.get(EndpointSliceReconciler.SERVICE_NAME_LABEL)));
        }
    }

    @Override
    public boolean isReady() {
        return loop.isReady();
    }

    @Override
    public void close() {
        loop.close();
    }
}
