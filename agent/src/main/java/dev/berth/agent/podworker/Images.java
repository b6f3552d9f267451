package dev.berth.agent.podworker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.core.controller.runtime.EventRecorder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a container's image present as kubelet's image manager does: imagePullPolicy (Always for
 * {@code :latest} or no tag, else IfNotPresent; Never), credentials from the pod's
 * imagePullSecrets, and a back-off per pod and image after a failed pull (ErrImagePull, then
 * ImagePullBackOff).
 */
final class Images {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A pull failed or may not be attempted: the container's waiting reason and message. */
    static final class PullFailure extends Exception {
        final String reason;

        PullFailure(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final ContainerRuntime runtime;
    private final ObjectLookup lookup;
    private final EventRecorder events;
    private final Clock clock;
    private final Backoff backoff;

    Images(ContainerRuntime runtime, ObjectLookup lookup, EventRecorder events, Clock clock) {
        this.runtime = runtime;
        this.lookup = lookup;
        this.events = events;
        this.clock = clock;
        this.backoff = new Backoff(clock);
    }

    static String pullPolicy(Container c) {
        String p = c.getImagePullPolicy();
        if (p != null && !p.isEmpty()) {
            return p;
        }
        String image = c.getImage() == null ? "" : c.getImage();
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.indexOf(':', slash + 1);
        return colon < 0 || image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    void ensure(Pod pod, Container c) throws PullFailure {
        String image = c.getImage();
        if (image == null || image.isBlank()) {
            throw new PullFailure("InvalidImageName", "Failed to apply default image tag \"\": couldn't parse image name \"\": invalid reference format");
        }
        String policy = pullPolicy(c);
        boolean present = runtime.imageId(image).isPresent();
        if (!policy.equals("Always") && present) {
            events.normal(pod, "Pulled", "Container image \"%s\" already present on machine", image);
            return;
        }
        if (policy.equals("Never")) {
            String msg = "Container image \"" + image + "\" is not present with pull policy of Never";
            events.warning(pod, "ErrImageNeverPull", msg);
            events.warning(pod, "Failed", "Error: ErrImageNeverPull");
            throw new PullFailure("ErrImageNeverPull", msg);
        }
        String key = pod.getMetadata().getUid() + "/" + image;
        if (backoff.inBackoffSinceUpdate(key)) {
            String msg = "Back-off pulling image \"" + image + "\"";
            events.normal(pod, "BackOff", msg);
            events.warning(pod, "Failed", "Error: ImagePullBackOff");
            throw new PullFailure("ImagePullBackOff", msg);
        }
        Optional<RegistryAuth> auth = auth(pod, image);
        events.normal(pod, "Pulling", "Pulling image \"%s\"", image);
        Instant start = clock.instant();
        try {
            runtime.pullImage(image, auth);
        } catch (ContainerRuntimeException e) {
            backoff.next(key, clock.instant());
            events.warning(pod, "Failed", "Failed to pull image \"%s\": %s", image, e.getMessage());
            events.warning(pod, "Failed", "Error: ErrImagePull");
            throw new PullFailure("ErrImagePull", e.getMessage());
        }
        Duration took = Duration.between(start, clock.instant());
        String secs = String.format(java.util.Locale.ROOT, "%.3fs", took.toNanos() / 1e9);
        events.normal(pod, "Pulled", "Successfully pulled image \"%s\" in %s (%s including waiting)", image, secs, secs);
    }

    void forget(String podUid) {
        backoff.forgetPrefix(podUid + "/");
    }

    /** The registry an image reference names: its first component when that has a dot, a colon or is localhost. */
    static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return "docker.io";
    }

    /** Credentials for the image's registry from the pod's dockerconfigjson / dockercfg Secrets. */
    Optional<RegistryAuth> auth(Pod pod, String image) {
        String registry = registryOf(image);
        List<String> missing = new ArrayList<>();
        Optional<RegistryAuth> found = Optional.empty();
        for (LocalObjectReference ref : pod.getSpec().getImagePullSecrets()) {
            Secret s;
            try {
                s = lookup.secret(pod.getMetadata().getNamespace(), ref.getName());
            } catch (RuntimeException e) {
                s = null;
            }
            if (s == null) {
                missing.add(ref.getName());
                continue;
            }
            if (found.isEmpty()) {
                found = fromSecret(s, registry);
            }
        }
        if (!missing.isEmpty()) {
            events.warning(pod, "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets (%s); "
                    + "attempting to pull the image may not succeed.", String.join(", ", missing));
        }
        return found;
    }

    static Optional<RegistryAuth> fromSecret(Secret s, String registry) {
        Map<String, String> data = ContainerEnv.secretData(s);
        try {
            JsonNode auths;
            if (data.containsKey(".dockerconfigjson")) {
                auths = JSON.readTree(data.get(".dockerconfigjson")).path("auths");
            } else if (data.containsKey(".dockercfg")) {
                auths = JSON.readTree(data.get(".dockercfg"));
            } else {
                return Optional.empty();
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!matches(e.getKey(), registry)) {
                    continue;
                }
                JsonNode a = e.getValue();
                String user = a.path("username").asText("");
                String pass = a.path("password").asText("");
                if (user.isEmpty() && a.hasNonNull("auth")) {
                    String decoded = new String(Base64.getDecoder().decode(a.get("auth").asText()), StandardCharsets.UTF_8);
                    int colon = decoded.indexOf(':');
                    if (colon > 0) {
                        user = decoded.substring(0, colon);
                        pass = decoded.substring(colon + 1);
                    }
                }
                return Optional.of(new RegistryAuth(registry, user, pass));
            }
        } catch (Exception e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean matches(String key, String registry) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        if (registry.equals("docker.io")) {
            return k.equals("docker.io") || k.equals("index.docker.io") || k.equals("registry-1.docker.io");
        }
        return k.equals(registry);
    }
}
