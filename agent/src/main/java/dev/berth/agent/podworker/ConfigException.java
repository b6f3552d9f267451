package dev.berth.agent.podworker;

/** A container's configuration cannot be resolved yet (kubelet's CreateContainerConfigError); the message is kubelet's. */
final class ConfigException extends Exception {
    ConfigException(String message) {
        super(message);
    }
}
