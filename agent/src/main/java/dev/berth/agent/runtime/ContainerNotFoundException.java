package dev.berth.agent.runtime;

/** No container with that id (it was removed, or dockerd lost it). */
public final class ContainerNotFoundException extends ContainerRuntimeException {
    public ContainerNotFoundException(String id) {
        super("ContainerNotFound", "no container " + id);
    }
}
