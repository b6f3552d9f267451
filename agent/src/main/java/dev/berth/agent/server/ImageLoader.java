package dev.berth.agent.server;

import java.io.InputStream;
import java.util.List;

/**
 * Loads the images of a {@code docker save} tar read from a stream (the agent's
 * {@code POST /images/load}); in production {@code ContainerRuntime::loadImages}.
 */
@FunctionalInterface
public interface ImageLoader {
    /** @return the names (or IDs) of the images loaded */
    List<String> load(InputStream tar);
}
