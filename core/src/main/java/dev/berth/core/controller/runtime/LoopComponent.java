package dev.berth.core.controller.runtime;

/**
 * A {@link Component} that is one {@link ControlLoop}: starting, readiness and closing are the
 * loop's. Implementations register their informer handlers and expose the loop.
 */
public interface LoopComponent extends Component {
    /** The control loop, also for tests that reconcile by hand. */
    ControlLoop loop();

    @Override
    default String name() {
        return loop().name();
    }

    @Override
    default void start() {
        loop().start();
    }

    @Override
    default boolean isReady() {
        return loop().isReady();
    }

    @Override
    default void close() {
        loop().close();
    }
}
