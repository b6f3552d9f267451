package dev.berth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.SaveImagesCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.core.api.Json;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Copies images from the local Docker engine to nodes, for a lab without a registry:",
                "each image is read with docker save and streamed through the API server",
                "(nodes/NAME/proxy/images/load) to the node's agent, which loads it with docker load.",
                "Neither side writes the whole tar to disk or holds it in memory.",
                "Pods then use the image with imagePullPolicy: Never (or IfNotPresent with a tag).",
                "Prints one line per node with the images it loaded or the error; exits with 1 if any node failed."})
public final class ImagePushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", arity = "1..*",
            description = "Images in the local Docker engine, as REPOSITORY:TAG (a missing tag means :latest).")
    List<String> images;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--node", paramLabel = "NAME", arity = "1..*", description = "Nodes to push to (repeatable).")
        List<String> nodes;

        @Option(names = "--all", description = "Every Ready node of the cluster, in parallel.")
        boolean all;
    }

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig of the control plane (default: $KUBECONFIG, else DATA_DIR/admin.kubeconfig "
                    + "of the default data dir, $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path kubeconfig;

    @Option(names = "--docker-host", paramLabel = "URI",
            description = "The local Docker engine (default: $DOCKER_HOST, else unix:///var/run/docker.sock).")
    URI dockerHost;

    /** One node's outcome. */
    record Outcome(String node, List<String> loaded, String error) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String[]> refs = new ArrayList<>();
        for (String image : images) {
            String[] ref = reference(image);
            if (ref == null) {
                err.println("error: image \"" + image + "\" is not valid: it must be REPOSITORY[:TAG]");
                return 2;
            }
            refs.add(ref);
        }
        Path file = kubeconfigFile();
        if (!Files.isReadable(file)) {
            err.println("error: kubeconfig " + file + " cannot be read (give --kubeconfig FILE or set KUBECONFIG)");
            return 2;
        }
        Config config = Config.fromKubeconfig(Files.readString(file));
        try (DockerClient docker = docker()) {
            for (String[] ref : refs) {
                try {
                    docker.inspectImageCmd(ref[0] + ":" + ref[1]).exec();
                } catch (NotFoundException e) {
                    err.println("error: image " + ref[0] + ":" + ref[1] + " is not in the local Docker engine "
                            + "(docker image ls does not list it; build or pull it first)");
                    return 1;
                }
            }
            List<String> nodes;
            if (target.all) {
                try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                    nodes = new ArrayList<>();
                    for (Node n : client.nodes().list().getItems()) {
                        if (ready(n)) {
                            nodes.add(n.getMetadata().getName());
                        } else {
                            out.println(n.getMetadata().getName() + ": skipped, the node is not Ready");
                        }
                    }
                }
                if (nodes.isEmpty()) {
                    err.println("error: the cluster has no Ready node to push to");
                    return 1;
                }
            } else {
                nodes = target.nodes;
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(SSLUtils.sslContext(config)).connectTimeout(Duration.ofSeconds(10)).build();
            List<Outcome> outcomes = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> pushes = new ArrayList<>();
                for (String node : nodes) {
                    pushes.add(pool.submit(() -> push(docker, http, config, refs, node)));
                }
                for (Future<Outcome> f : pushes) {
                    Outcome o = f.get();
                    outcomes.add(o);
                    out.println(o.error() == null ? o.node() + ": loaded " + String.join(", ", o.loaded())
                            : o.node() + ": failed: " + o.error());
                    out.flush();
                }
            }
            return outcomes.stream().allMatch(o -> o.error() == null) ? 0 : 1;
        }
    }

    private Outcome push(DockerClient docker, HttpClient http, Config config, List<String[]> refs, String node) {
        SaveImagesCmd save = docker.saveImagesCmd();
        refs.forEach(r -> save.withImage(r[0], r[1]));
        String master = config.getMasterUrl().endsWith("/") ? config.getMasterUrl() : config.getMasterUrl() + "/";
        URI uri = URI.create(master + "api/v1/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8)
                + "/proxy/images/load");
        try (InputStream tar = save.exec()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/x-tar")
                    .header("Accept", "application/json")
                    // the API server says "100 Continue" only once the agent takes the tar: a refusal costs no upload
                    .expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> tar));
            String token = config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body;
            try {
                body = Json.parse(response.body());
            } catch (RuntimeException e) {
                body = null;
            }
            if (response.statusCode() == 200 && body != null && body.path("images").isArray()) {
                List<String> loaded = new ArrayList<>();
                body.path("images").forEach(i -> loaded.add(i.asText()));
                return new Outcome(node, loaded, null);
            }
            String message = body != null && body.hasNonNull("message") ? body.get("message").asText()
                    : new String(response.body(), StandardCharsets.UTF_8).strip();
            return new Outcome(node, List.of(), "HTTP " + response.statusCode() + ": " + message);
        } catch (Exception e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new Outcome(node, List.of(), "pushing to " + uri + " failed: " + message);
        }
    }

    private static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** REPOSITORY and TAG of an image reference, or null when it is not one. */
    static String[] reference(String image) {
        if (image == null || image.isBlank() || image.contains("@") || image.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) {
            String repo = image.substring(0, colon);
            String tag = image.substring(colon + 1);
            return repo.isEmpty() || tag.isEmpty() ? null : new String[] {repo, tag};
        }
        return new String[] {image, "latest"};
    }

    private Path kubeconfigFile() {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(java.io.File.pathSeparator)[0]);
        }
        return ServerOptions.defaultDataDir().resolve("admin.kubeconfig");
    }

    private DockerClient docker() {
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null) {
            b.withDockerHost(dockerHost.toString());
        }
        DefaultDockerClientConfig config = b.build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10)).build();
        return DockerClientImpl.getInstance(config, http);
    }

}
