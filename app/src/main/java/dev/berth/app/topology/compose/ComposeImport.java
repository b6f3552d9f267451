package dev.berth.app.topology.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.apache.commons.text.StringTokenizer;
import org.apache.commons.text.matcher.StringMatcherFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code docker-compose.yml} as Kubernetes objects: each service becomes a Deployment (one
 * container, labelled {@code app=<service>}), and a ClusterIP Service of the same name when it
 * publishes or exposes ports; named volumes become PersistentVolumeClaims. Read with SnakeYAML
 * (anchors and merge keys work). What Kubernetes cannot express, and keys Berth does not
 * translate, become warnings naming the service and the key. See docs/topology.md, "Composing".
 */
public final class ComposeImport {
    /** The image of the init containers that wait for a dependency. */
    public static final String WAIT_IMAGE = "busybox:1.36.1";
    /** Where a Deployment records its compose {@code depends_on} (comma-separated service names). */
    public static final String DEPENDS_ON_ANNOTATION = "compose.berth.dev/depends-on";
    public static final String SERVICE_ANNOTATION = "compose.berth.dev/service";
    static final String DEFAULT_CLAIM_SIZE = "1Gi";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of("version", "name", "services", "volumes", "networks", "configs",
            "secrets");
    private static final Set<String> WITH_HINT = Set.of("container_name", "build", "pull_policy", "platform");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");

    private final String namespace;
    private final Path baseDir;
    private final List<String> warnings = new ArrayList<>();
    private final List<GenericKubernetesResource> objects = new ArrayList<>();
    private final Map<String, String> k8sNames = new LinkedHashMap<>();
    private final Map<String, Integer> firstPort = new LinkedHashMap<>();
    private final Set<String> claims = new LinkedHashSet<>();
    private JsonNode topVolumes;

    private ComposeImport(String namespace, Path baseDir) {
        this.namespace = namespace;
        this.baseDir = baseDir;
    }

    /** Reads a compose file; env_file and bind mounts are relative to its folder. */
    public static Manifests.Imported read(Path file, String namespace) throws IOException {
        Path abs = file.toAbsolutePath();
        return parse(Files.readString(abs), abs.getParent(), namespace);
    }

    /** Reads compose text; relative paths are taken from {@code baseDir}. */
    public static Manifests.Imported parse(String text, Path baseDir, String namespace) {
        ComposeImport c = new ComposeImport(namespace, baseDir);
        c.run(text);
        return new Manifests.Imported(List.copyOf(c.objects), List.copyOf(c.warnings));
    }

    private void run(String text) {
        Object loaded;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            loaded = new Yaml(options).load(text);
        } catch (MarkedYAMLException e) {
            warnings.add("not valid YAML at line " + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
            return;
        } catch (RuntimeException e) {
            warnings.add("not valid YAML: " + e.getMessage());
            return;
        }
        JsonNode root = JSON.valueToTree(loaded);
        if (!(root instanceof ObjectNode) || !root.path("services").isObject()) {
            warnings.add("services: Required value: a compose file has a \"services\" mapping");
            return;
        }
        topVolumes = root.path("volumes");
        JsonNode services = root.path("services");
        int quietFrom = warnings.size();
        for (Iterator<String> it = services.fieldNames(); it.hasNext(); ) {
            String svc = it.next();
            String name = Names.label(svc, "service");
            if (!Character.isLetter(name.charAt(0))) {
                name = Names.label("s-" + name, "service");
            }
            name = Names.unique(name, new java.util.HashSet<>(k8sNames.values()));
            k8sNames.put(svc, name);
            JsonNode s = services.path(svc);
            List<Integer> ports = new ArrayList<>();
            for (JsonNode p : s.path("ports")) {
                for (int[] pp : ports(svc, p)) {
                    ports.add(pp[1]);
                }
            }
            for (JsonNode e : s.path("expose")) {
                ports.add(parseInt(e.asText().replaceAll("/.*", "").replaceAll("-.*", ""), -1));
            }
            ports.stream().filter(p -> p > 0).findFirst().ifPresent(p -> firstPort.put(svc, p));
        }
        // the pass above only named the services and found their ports (depends_on needs both): its warnings come again below
        warnings.subList(quietFrom, warnings.size()).clear();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith("x-") && !TOP_LEVEL.contains(key)) {
                warnings.add(key + ": not supported, ignored");
            } else if (key.equals("networks") || key.equals("configs") || key.equals("secrets")) {
                warnings.add(key + ": not translated: every pod reaches every Service of the namespace"
                        + (key.equals("networks") ? "" : "; make a ConfigMap or Secret and drag it onto the container"));
            }
        }
        k8sNames.forEach((svc, name) -> {
            if (!name.equals(svc)) {
                warnings.add("service " + svc + ": named " + name + " in Kubernetes (names are DNS labels); other services"
                        + " must use that name to reach it");
            }
        });
        for (Map.Entry<String, String> e : k8sNames.entrySet()) {
            service(e.getKey(), e.getValue(), services.path(e.getKey()));
        }
    }

    private void service(String svc, String name, JsonNode s) {
        String where = "service " + svc;
        if (!s.isObject()) {
            warnings.add(where + ": not a mapping, skipped");
            return;
        }
        String image = s.path("image").asText("");
        if (image.isBlank()) {
            warnings.add(where + ": image: Required value: Berth runs images; build the image (build: is not supported)"
                    + " and set image:; skipped");
            return;
        }
        Map<String, String> labels = Map.of(NewDeployment.APP_LABEL, name);
        ContainerBuilder c = new ContainerBuilder().withName(name).withImage(image);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(SERVICE_ANNOTATION, svc);
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<ServicePort> servicePorts = new ArrayList<>();
        List<ContainerPort> containerPorts = new ArrayList<>();
        List<Container> inits = new ArrayList<>();
        Integer replicas = 1;
        Map<String, Quantity> limits = new LinkedHashMap<>();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Long runAsUser = null;
        Long runAsGroup = null;
        String hostname = null;

        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            switch (key) {
                case "image" -> { }
                case "command" -> c.withArgs(words(v));
                case "entrypoint" -> c.withCommand(words(v));
                case "ports" -> {
                    for (JsonNode p : v) {
                        for (int[] pp : ports(svc, p)) {
                            addPort(containerPorts, servicePorts, pp[0], pp[1], pp[2] == 1 ? "UDP" : pp[2] == 2 ? "SCTP" : "TCP");
                        }
                    }
                }
                case "expose" -> {
                    for (JsonNode e : v) {
                        String t = e.asText();
                        String proto = t.contains("/") ? t.substring(t.indexOf('/') + 1).toUpperCase(Locale.ROOT) : "TCP";
                        int port = parseInt(t.replaceAll("/.*", ""), -1);
                        if (port < 1 || port > 65535) {
                            warnings.add(where + ": expose: \"" + t + "\" is not a port number, skipped");
                        } else {
                            addPort(containerPorts, servicePorts, port, port, proto);
                        }
                    }
                }
                case "environment", "env_file" -> { } // below, env_file first, environment overriding it
                case "volumes" -> {
                    for (JsonNode vol : v) {
                        volume(where, vol, volumes, mounts);
                    }
                }
                case "tmpfs" -> {
                    List<String> paths = new ArrayList<>();
                    if (v.isArray()) v.forEach(x -> paths.add(x.asText())); else paths.add(v.asText());
                    for (String p : paths) {
                        String target = p.contains(":") ? p.substring(0, p.indexOf(':')) : p;
                        String vn = Names.unique("tmpfs", volumeNames(volumes));
                        volumes.add(new VolumeBuilder().withName(vn).withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
                        mounts.add(new VolumeMountBuilder().withName(vn).withMountPath(target).build());
                    }
                }
                case "depends_on" -> {
                    List<String> deps = new ArrayList<>();
                    if (v.isArray()) v.forEach(d -> deps.add(d.asText())); else v.fieldNames().forEachRemaining(deps::add);
                    annotations.put(DEPENDS_ON_ANNOTATION, String.join(",", deps));
                    for (String dep : deps) {
                        String depName = k8sNames.get(dep);
                        if (depName == null) {
                            warnings.add(where + ": depends_on: service \"" + dep + "\" is not in this file, ignored");
                        } else if (!firstPort.containsKey(dep)) {
                            warnings.add(where + ": depends_on: " + dep + " publishes no ports, so it has no Service to"
                                    + " wait for; recorded in the " + DEPENDS_ON_ANNOTATION + " annotation only");
                        } else {
                            String dns = depName + "." + namespace + ".svc.cluster.local";
                            inits.add(new ContainerBuilder().withName(Names.unique("wait-for-" + depName, initNames(inits)))
                                    .withImage(WAIT_IMAGE)
                                    .withCommand("sh", "-c", "until nslookup " + dns + "; do echo waiting for " + dns
                                            + "; sleep 2; done")
                                    .build());
                        }
                    }
                }
                case "healthcheck" -> healthcheck(where, v, c);
                case "deploy" -> {
                    for (Iterator<String> d = v.fieldNames(); d.hasNext(); ) {
                        String dk = d.next();
                        switch (dk) {
                            case "replicas" -> replicas = v.path("replicas").asInt(1);
                            case "resources" -> {
                                resources(where, v.path("resources").path("limits"), limits);
                                resources(where, v.path("resources").path("reservations"), requests);
                            }
                            default -> warnings.add(where + ": deploy." + dk + ": not supported, ignored");
                        }
                    }
                }
                case "scale" -> replicas = v.asInt(1);
                case "restart" -> {
                    String r = v.asText();
                    if (r.equals("no") || r.startsWith("on-failure")) {
                        warnings.add(where + ": restart: \"" + r + "\": a Deployment's pods always restart"
                                + " (restartPolicy Always); make it a Job if it should run once");
                    }
                }
                case "labels" -> {
                    if (v.isArray()) {
                        v.forEach(l -> {
                            String t = l.asText();
                            annotations.put(t.contains("=") ? t.substring(0, t.indexOf('=')) : t,
                                    t.contains("=") ? t.substring(t.indexOf('=') + 1) : "");
                        });
                    } else {
                        v.fields().forEachRemaining(l -> annotations.put(l.getKey(), l.getValue().asText()));
                    }
                }
                case "working_dir" -> c.withWorkingDir(v.asText());
                case "stdin_open" -> c.withStdin(v.asBoolean());
                case "tty" -> c.withTty(v.asBoolean());
                case "hostname" -> hostname = Names.label(v.asText(), name);
                case "user" -> {
                    String u = v.asText();
                    Matcher m = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(u);
                    if (m.matches()) {
                        runAsUser = Long.parseLong(m.group(1));
                        runAsGroup = m.group(2) == null ? null : Long.parseLong(m.group(2));
                    } else {
                        warnings.add(where + ": user: \"" + u + "\": only numeric user[:group] ids can be set"
                                + " (securityContext.runAsUser); ignored");
                    }
                }
                case "networks" -> warnings.add(where + ": networks: ignored: every pod reaches every Service of the namespace");
                default -> {
                    if (key.startsWith("x-")) {
                        continue;
                    }
                    warnings.add(where + ": " + key + ": not supported, ignored"
                            + (WITH_HINT.contains(key) ? " (" + hint(key) + ")" : ""));
                }
            }
        }
        c.withEnv(environment(where, s));
        c.withPorts(containerPorts).withVolumeMounts(mounts);
        if (!limits.isEmpty() || !requests.isEmpty()) {
            c.withNewResources().withLimits(limits.isEmpty() ? null : limits)
                    .withRequests(requests.isEmpty() ? null : requests).endResources();
        }
        if (runAsUser != null) {
            c.withNewSecurityContext().withRunAsUser(runAsUser).withRunAsGroup(runAsGroup).endSecurityContext();
        }
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(Map.of(SERVICE_ANNOTATION, svc)).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withHostname(hostname).withInitContainers(inits).withContainers(c.build())
                .withVolumes(volumes).endSpec()
                .endTemplate().endSpec().build();
        if (annotations.containsKey(DEPENDS_ON_ANNOTATION)) {
            d.getMetadata().getAnnotations().put(DEPENDS_ON_ANNOTATION, annotations.get(DEPENDS_ON_ANNOTATION));
        }
        objects.add(Objects2.generic(d));
        if (!servicePorts.isEmpty()) {
            if (servicePorts.size() > 1) {
                Set<String> taken = new java.util.HashSet<>();
                for (ServicePort p : servicePorts) {
                    p.setName(Names.unique(p.getProtocol().toLowerCase(Locale.ROOT) + "-" + p.getPort(), taken));
                    taken.add(p.getName());
                }
            }
            objects.add(Objects2.generic(new ServiceBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                    .withAnnotations(Map.of(SERVICE_ANNOTATION, svc)).endMetadata()
                    .withNewSpec().withType("ClusterIP").withSelector(labels).withPorts(servicePorts).endSpec().build()));
        }
    }

    private static String hint(String key) {
        return switch (key) {
            case "container_name" -> "pods are named by their Deployment";
            case "build" -> "build and push the image, then set image:";
            default -> "Berth does not translate it";
        };
    }

    /** Container port, published port, protocol (0 TCP, 1 UDP, 2 SCTP) for each port a {@code ports} entry gives. */
    private List<int[]> ports(String svc, JsonNode p) {
        List<int[]> out = new ArrayList<>();
        String where = "service " + svc + ": ports: ";
        if (p.isObject()) {
            int target = p.path("target").asInt(-1);
            String published = p.path("published").asText("");
            String proto = p.path("protocol").asText("tcp");
            if (target < 1 || target > 65535) {
                warnings.add(where + "target: Invalid value: \"" + p.path("target").asText() + "\": must be a port number"
                        + " between 1 and 65535; skipped");
                return out;
            }
            int pub = published.isEmpty() ? target : parseInt(published.replaceAll("-.*", ""), target);
            out.add(new int[] {target, pub, protocol(proto)});
            return out;
        }
        String t = p.asText();
        String proto = "tcp";
        if (t.contains("/")) {
            proto = t.substring(t.indexOf('/') + 1);
            t = t.substring(0, t.indexOf('/'));
        }
        if (t.startsWith("[")) { // [::1]:8080:80
            t = t.substring(t.indexOf(']') + 1).replaceFirst("^:", "");
        }
        String[] parts = t.split(":");
        String container = parts[parts.length - 1];
        String host = parts.length >= 2 ? parts[parts.length - 2] : "";
        int[] cr = range(container);
        int[] hr = host.isEmpty() ? cr : range(host);
        if (cr == null || hr == null || cr[1] - cr[0] != hr[1] - hr[0] && !host.isEmpty() && hr[0] != hr[1]) {
            warnings.add(where + "\"" + p.asText() + "\" is not a port, a range or host:container; skipped"
                    + (p.isInt() && p.asInt() > 65535 ? " (an unquoted a:b with numbers under 60 is read as a base-60"
                    + " number in YAML 1.1: quote it)" : ""));
            return out;
        }
        if (cr[1] - cr[0] > 100) {
            warnings.add(where + "\"" + p.asText() + "\" is a range of more than 100 ports; skipped");
            return out;
        }
        for (int i = 0; i <= cr[1] - cr[0]; i++) {
            int pub = hr[0] == hr[1] ? hr[0] : hr[0] + i;
            out.add(new int[] {cr[0] + i, host.isEmpty() ? cr[0] + i : pub, protocol(proto)});
        }
        return out;
    }

    private static int protocol(String p) {
        return switch (p.toLowerCase(Locale.ROOT)) {
            case "udp" -> 1;
            case "sctp" -> 2;
            default -> 0;
        };
    }

    private static int[] range(String s) {
        String[] ab = s.split("-");
        int a = parseInt(ab[0], -1);
        int b = ab.length > 1 ? parseInt(ab[1], -1) : a;
        if (a < 1 || b < a || b > 65535) {
            return null;
        }
        return new int[] {a, b};
    }

    private static int parseInt(String s, int fallback) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void addPort(List<ContainerPort> cps, List<ServicePort> sps, int target, int published, String proto) {
        if (cps.stream().noneMatch(p -> p.getContainerPort() == target && p.getProtocol().equals(proto))) {
            cps.add(new ContainerPortBuilder().withContainerPort(target).withProtocol(proto).build());
        }
        if (sps.stream().noneMatch(p -> p.getPort() == published && p.getProtocol().equals(proto))) {
            sps.add(new ServicePortBuilder().withPort(published).withTargetPort(new IntOrString(target)).withProtocol(proto).build());
        }
    }

    private static Set<String> volumeNames(List<Volume> volumes) {
        Set<String> out = new java.util.HashSet<>();
        volumes.forEach(v -> out.add(v.getName()));
        return out;
    }

    private static Set<String> initNames(List<Container> inits) {
        Set<String> out = new java.util.HashSet<>();
        inits.forEach(v -> out.add(v.getName()));
        return out;
    }

    private void volume(String where, JsonNode vol, List<Volume> volumes, List<VolumeMount> mounts) {
        String type;
        String source;
        String target;
        boolean readOnly;
        String sizeLimit = null;
        if (vol.isObject()) {
            type = vol.path("type").asText("volume");
            source = vol.path("source").asText("");
            target = vol.path("target").asText("");
            readOnly = vol.path("read_only").asBoolean(false);
            if (vol.path("tmpfs").path("size").isValueNode()) {
                sizeLimit = bytes(vol.path("tmpfs").path("size").asText());
            }
        } else {
            String[] parts = vol.asText().split(":");
            if (parts.length == 1) {
                type = "volume";
                source = "";
                target = parts[0];
                readOnly = false;
            } else {
                source = parts[0];
                target = parts[1];
                readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                type = source.startsWith(".") || source.startsWith("/") || source.startsWith("~") ? "bind" : "volume";
            }
        }
        if (target.isEmpty() || !target.startsWith("/")) {
            warnings.add(where + ": volumes: \"" + vol.asText(vol.toString()) + "\": the target must be an absolute path; skipped");
            return;
        }
        Volume v;
        switch (type) {
            case "volume" -> {
                if (source.isEmpty()) {
                    v = new VolumeBuilder().withName(Names.unique("scratch", volumeNames(volumes)))
                            .withNewEmptyDir().endEmptyDir().build();
                } else {
                    String claim = claim(where, source);
                    v = new VolumeBuilder().withName(Names.unique(Names.label(source, "data"), volumeNames(volumes)))
                            .withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(readOnly ? true : null)
                            .endPersistentVolumeClaim().build();
                }
            }
            case "bind" -> {
                Path host = source.startsWith("~") ? Path.of(System.getProperty("user.home") + source.substring(1))
                        : baseDir.resolve(source).normalize();
                warnings.add(where + ": volumes: bind mount " + source + " became a hostPath volume (" + host
                        + "): the files must be on whichever node runs the pod; prefer a ConfigMap or a claim");
                v = new VolumeBuilder().withName(Names.unique(Names.label(Path.of(source).getFileName() == null ? "host"
                        : Path.of(source).getFileName().toString(), "host"), volumeNames(volumes)))
                        .withNewHostPath().withPath(host.toString()).endHostPath().build();
            }
            case "tmpfs" -> v = new VolumeBuilder().withName(Names.unique("tmpfs", volumeNames(volumes)))
                    .withNewEmptyDir().withMedium("Memory").withSizeLimit(sizeLimit == null ? null : new Quantity(sizeLimit))
                    .endEmptyDir().build();
            default -> {
                warnings.add(where + ": volumes: type \"" + type + "\" is not supported; skipped");
                return;
            }
        }
        volumes.add(v);
        mounts.add(new VolumeMountBuilder().withName(v.getName()).withMountPath(target).withReadOnly(readOnly ? true : null).build());
    }

    /** The claim of a named volume, made the first time a service uses it (unless the volume is external). */
    private String claim(String where, String volume) {
        JsonNode decl = topVolumes.path(volume);
        String name = Names.label(decl.path("name").asText(volume), "data");
        if (!topVolumes.has(volume)) {
            warnings.add(where + ": volumes: named volume \"" + volume + "\" is not declared under the top-level"
                    + " volumes:; a claim is made for it anyway");
        }
        if (decl.path("external").asBoolean(false)) {
            return name;
        }
        if (claims.add(name)) {
            if (decl.has("driver") || decl.has("driver_opts")) {
                warnings.add("volumes." + volume + ": driver and driver_opts are not translated; the claim uses the"
                        + " default StorageClass");
            }
            objects.add(Objects2.generic(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace)
                    .withAnnotations(Map.of(SERVICE_ANNOTATION + "-volume", volume)).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce")
                    .withNewResources().withRequests(Map.of("storage", new Quantity(DEFAULT_CLAIM_SIZE))).endResources()
                    .endSpec().build()));
        }
        return name;
    }

    private List<EnvVar> environment(String where, JsonNode s) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode files = s.path("env_file");
        List<JsonNode> list = new ArrayList<>();
        if (files.isArray()) files.forEach(list::add); else if (!files.isMissingNode()) list.add(files);
        for (JsonNode f : list) {
            String path = f.isObject() ? f.path("path").asText() : f.asText();
            boolean required = !f.isObject() || f.path("required").asBoolean(true);
            Path p = baseDir.resolve(path).normalize();
            if (!Files.isRegularFile(p)) {
                if (required) {
                    warnings.add(where + ": env_file: " + path + " not found (looked at " + p + "); its variables are missing");
                }
                continue;
            }
            try {
                int n = 0;
                for (String line : Files.readAllLines(p)) {
                    n++;
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    if (l.startsWith("export ")) {
                        l = l.substring(7).strip();
                    }
                    int eq = l.indexOf('=');
                    if (eq <= 0) {
                        warnings.add(where + ": env_file: " + path + " line " + n + ": no KEY=VALUE; skipped");
                        continue;
                    }
                    String value = l.substring(eq + 1).strip();
                    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                        value = value.substring(1, value.length() - 1);
                    }
                    env.put(l.substring(0, eq).strip(), value);
                }
            } catch (IOException e) {
                warnings.add(where + ": env_file: " + path + ": " + e.getMessage());
            }
        }
        JsonNode e = s.path("environment");
        if (e.isArray()) {
            for (JsonNode item : e) {
                String t = item.asText();
                int eq = t.indexOf('=');
                if (eq < 0) {
                    warnings.add(where + ": environment: " + t + " has no value (compose would take it from the shell);"
                            + " skipped");
                } else {
                    env.put(t.substring(0, eq), t.substring(eq + 1));
                }
            }
        } else if (e.isObject()) {
            e.fields().forEachRemaining(f -> {
                if (f.getValue().isNull()) {
                    warnings.add(where + ": environment: " + f.getKey() + " has no value (compose would take it from"
                            + " the shell); skipped");
                } else {
                    env.put(f.getKey(), f.getValue().asText());
                }
            });
        }
        List<EnvVar> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(new EnvVar(k, v, null)));
        return out;
    }

    private void healthcheck(String where, JsonNode h, ContainerBuilder c) {
        if (h.path("disable").asBoolean(false)) {
            return;
        }
        JsonNode test = h.path("test");
        List<String> command;
        if (test.isTextual()) {
            command = List.of("sh", "-c", test.asText());
        } else if (test.isArray() && !test.isEmpty()) {
            String kind = test.get(0).asText();
            List<String> rest = new ArrayList<>();
            for (int i = 1; i < test.size(); i++) rest.add(test.get(i).asText());
            switch (kind) {
                case "NONE" -> { return; }
                case "CMD" -> command = rest;
                case "CMD-SHELL" -> command = List.of("sh", "-c", String.join(" ", rest));
                default -> {
                    warnings.add(where + ": healthcheck.test: \"" + kind + "\" must be CMD, CMD-SHELL or NONE; no probes made");
                    return;
                }
            }
        } else {
            warnings.add(where + ": healthcheck: no test; no probes made (the image's own HEALTHCHECK is not read)");
            return;
        }
        if (command.isEmpty()) {
            warnings.add(where + ": healthcheck.test: an empty command; no probes made");
            return;
        }
        int period = seconds(where, "interval", h.path("interval"), 30, 1);
        int timeout = seconds(where, "timeout", h.path("timeout"), 30, 1);
        int retries = h.path("retries").asInt(3);
        int start = seconds(where, "start_period", h.path("start_period"), 0, 0);
        if (h.has("start_interval")) {
            warnings.add(where + ": healthcheck.start_interval: not translated (probes keep one period)");
        }
        Probe probe = new ProbeBuilder().withNewExec().withCommand(command).endExec()
                .withPeriodSeconds(period).withTimeoutSeconds(timeout).withFailureThreshold(Math.max(1, retries))
                .withInitialDelaySeconds(start == 0 ? null : start).build();
        c.withLivenessProbe(probe).withReadinessProbe(new ProbeBuilder(probe).build());
    }

    /** A compose duration ({@code 1m30s}, {@code 500ms}) in whole seconds, rounded up, at least {@code min}. */
    private int seconds(String where, String field, JsonNode v, int fallback, int min) {
        if (v.isMissingNode() || v.isNull()) {
            return fallback;
        }
        Long nanos = durationNanos(v.asText());
        if (nanos == null) {
            warnings.add(where + ": healthcheck." + field + ": \"" + v.asText() + "\" is not a duration like 10s or"
                    + " 1m30s; " + fallback + "s used");
            return fallback;
        }
        long s = (nanos + 999_999_999L) / 1_000_000_000L;
        return (int) Math.max(min, Math.min(Integer.MAX_VALUE, s));
    }

    static Long durationNanos(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        Matcher m = DURATION_PART.matcher(t);
        int at = 0;
        BigDecimal total = BigDecimal.ZERO;
        while (m.find()) {
            if (m.start() != at) {
                return null;
            }
            at = m.end();
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "h" -> 3_600_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "s" -> 1_000_000_000L;
                case "ms" -> 1_000_000L;
                case "us", "µs" -> 1_000L;
                default -> 1L;
            };
            total = total.add(n.multiply(BigDecimal.valueOf(unit)));
        }
        return at == t.length() ? total.setScale(0, RoundingMode.CEILING).longValueExact() : null;
    }

    private void resources(String where, JsonNode r, Map<String, Quantity> out) {
        if (r.path("cpus").isValueNode()) {
            out.put("cpu", new Quantity(r.path("cpus").asText()));
        }
        if (r.path("memory").isValueNode()) {
            String b = bytes(r.path("memory").asText());
            if (b == null) {
                warnings.add(where + ": deploy.resources: memory \"" + r.path("memory").asText() + "\" is not a size like"
                        + " 512m or 1g; ignored");
            } else {
                out.put("memory", new Quantity(b));
            }
        }
        r.fieldNames().forEachRemaining(k -> {
            if (!k.equals("cpus") && !k.equals("memory")) {
                warnings.add(where + ": deploy.resources." + k + ": not supported, ignored");
            }
        });
    }

    /** A compose byte size (512m, 1.5g, 1024k, 100b) as a Kubernetes quantity (Mi, Gi, Ki: compose's units are binary). */
    static String bytes(String s) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bkmg]?)b?", Pattern.CASE_INSENSITIVE).matcher(s.strip());
        if (!m.matches()) {
            return null;
        }
        String unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> "Ki";
            case "m" -> "Mi";
            case "g" -> "Gi";
            default -> "";
        };
        return m.group(1) + unit;
    }

    /** A compose command: a list as it is, a string split as a shell would split words (quotes kept together). */
    static List<String> words(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
            return out;
        }
        return words(v.asText());
    }

    /** {@code text} split as a shell splits words: at runs of whitespace, quoted words kept together. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        // words are split at runs of whitespace, so that a quoted empty word ("") stays a word
        org.apache.commons.text.matcher.StringMatcher whitespaceRun = (buffer, start, bufferStart, bufferEnd) -> {
            int i = start;
            while (i < bufferEnd && Character.isWhitespace(buffer[i])) {
                i++;
            }
            return i - start;
        };
        StringTokenizer t = new StringTokenizer(text.strip(), whitespaceRun, StringMatcherFactory.INSTANCE.quoteMatcher());
        t.setEmptyTokenAsNull(false);
        t.setIgnoreEmptyTokens(false);
        out.addAll(t.getTokenList());
        return out;
    }
}
