package dev.berth.agent.runtime;

/** The image is not present and could not (or may not) be pulled. */
public final class ImageNotFoundException extends ContainerRuntimeException {
    public ImageNotFoundException(String image, String message) {
        super("ErrImageNeverPull", "image " + image + ": " + message);
    }
}
