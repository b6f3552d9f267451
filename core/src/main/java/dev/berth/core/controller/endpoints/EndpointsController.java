package dev.berth.core.controller.endpoints;

import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControlLoop;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The endpoints controller: Services, pods and Endpoints informers feeding an
 * {@link EndpointsReconciler} keyed by Service. A deleted Endpoints is written again.
 */
public final class EndpointsController implements Component {
    public static final String NAME = "endpoint";
    public static final int DEFAULT_WORKERS = 2;

    private final ControllerContext context;
    private final ControlLoop loop;

    public EndpointsController(ControllerContext context, int workers) {
        this.context = context;
        this.loop = new ControlLoop(NAME, context,
                new EndpointsReconciler(context.client(), context.informers(), context.events()), workers);
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
        context.informers().of(Namespace.class);
        context.informers().of(Endpoints.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Endpoints e) {
            }

            @Override
            public void onUpdate(Endpoints before, Endpoints e) {
            }

            @Override
            public void onDelete(Endpoints e, boolean deletedFinalStateUnknown) {
                loop.enqueue(Keys.of(e));
            }
        });
        loop.start();
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
