package dev.berth.agent.runtime;

/** Credentials for a registry, from the pod's imagePullSecrets (a .dockerconfigjson entry). */
public record RegistryAuth(String registry, String username, String password) {
    @Override
    public String toString() {
        return "RegistryAuth[" + registry + ", " + username + ", ****]";
    }
}
