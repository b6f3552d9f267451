package dev.berth.agent.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.LoadResponseItem;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.PropagationMode;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.SELContext;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.StreamSession;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@link ContainerRuntime} over the Docker Engine API (docker-java with its zero-dependency
 * transport). Works with a local socket ({@code unix:///var/run/docker.sock}, the default) or
 * {@code tcp://host:port} (TLS settings from the usual {@code DOCKER_TLS_VERIFY} and
 * {@code DOCKER_CERT_PATH}).
 *
 * <p>A pod is an infra container running the generated pause program ({@link InfraImage}) that
 * holds the network, IPC and (with hostPID) PID namespaces, and app containers that join them with
 * {@code container:<sandbox id>}, as kubelet's dockershim did.
 */
public final class DockerRuntime implements ContainerRuntime {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DockerRuntime.class);
    public static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");
    /** Output of {@link #exec} beyond this is dropped (as kubelet caps probe output). */
    public static final int EXEC_OUTPUT_LIMIT = 64 * 1024;
    /** CFS period kubelet uses; the quota is millicores * period / 1000. */
    static final long CPU_PERIOD_MICROS = 100_000;
    /** Kubelet's smallest CFS quota. */
    static final long MIN_CPU_QUOTA_MICROS = 1_000;
    /** Kubelet's container log rotation defaults (containerLogMaxSize, containerLogMaxFiles). */
    static final Map<String, String> LOG_OPTIONS = Map.of("max-size", "10m", "max-file", "5");
    /** Linux bridge interface names are at most 15 characters. */
    static final int BRIDGE_NAME_MAX = 15;

    private static final Pattern NAME_PREFIX = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private final DockerClient docker;
    private final URI host;
    private final String namePrefix;
    private final String nodeName;
    private final boolean tls;
    /** Tests turn this off to drive docker-java's own hijacked streams, which TLS engines use. */
    volatile boolean ownStreamConnections = true;
    private volatile io.netty.channel.EventLoopGroup streamLoop;
    private volatile String infraImage;
    private volatile RuntimeInfo info;

    public DockerRuntime(String namePrefix, String nodeName) {
        this(DEFAULT_HOST, namePrefix, nodeName);
    }

    public DockerRuntime(URI dockerHost, String namePrefix, String nodeName) {
        Objects.requireNonNull(dockerHost, "dockerHost");
        String scheme = dockerHost.getScheme();
        if (scheme == null || !List.of("unix", "tcp", "npipe").contains(scheme)) {
            throw new IllegalArgumentException("docker host " + dockerHost
                    + " is not supported: it must be unix:///path/to/docker.sock or tcp://host:port");
        }
        if (namePrefix == null || !NAME_PREFIX.matcher(namePrefix).matches()) {
            throw new IllegalArgumentException("name prefix \"" + namePrefix
                    + "\" is not valid in Docker names: it must match " + NAME_PREFIX.pattern());
        }
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        this.host = dockerHost;
        this.namePrefix = namePrefix;
        this.nodeName = nodeName;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost.toString())
                .build();
        // no response timeout: logs follow, attach and stop with a long grace period legitimately wait
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(256)
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        this.docker = DockerClientImpl.getInstance(config, http);
        this.tls = config.getSSLConfig() != null;
    }

    /** One small event loop for the hijacked exec and attach connections, made on first use. */
    private io.netty.channel.EventLoopGroup streamLoop() {
        io.netty.channel.EventLoopGroup loop = streamLoop;
        if (loop == null) {
            synchronized (this) {
                if (streamLoop == null) {
                    streamLoop = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                            io.netty.channel.nio.NioIoHandler.newFactory());
                }
                loop = streamLoop;
            }
        }
        return loop;
    }

    @Override
    public String namePrefix() {
        return namePrefix;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    /** The docker-java client, for the parts of the agent (stats) that need more than the SPI. */
    public DockerClient client() {
        return docker;
    }

    // --- info -----------------------------------------------------------------------------------

    @Override
    public RuntimeInfo info() {
        Info i = call("RuntimeUnavailable", "read the engine's info", () -> docker.infoCmd().exec());
        int cgroupVersion = 1;
        if ("2".equals(i.getCGroupVersion() == null ? "" : i.getCGroupVersion().strip())) {
            cgroupVersion = 2;
        }
        RuntimeInfo r = new RuntimeInfo("docker", orEmpty(i.getServerVersion()),
                i.getOsType() == null ? "linux" : i.getOsType(), orEmpty(i.getOperatingSystem()),
                orEmpty(i.getKernelVersion()), goArch(orEmpty(i.getArchitecture())),
                i.getNCPU() == null ? 0 : i.getNCPU(), i.getMemTotal() == null ? 0 : i.getMemTotal(),
                cgroupVersion, i.getCGroupDriver() == null ? "cgroupfs" : i.getCGroupDriver(),
                orEmpty(i.getDockerRootDir()));
        info = r;
        return r;
    }

    /** Go's GOARCH for what uname -m (and so the engine) reports. */
    static String goArch(String machine) {
        return switch (machine) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "armv7l", "armv6l", "arm" -> "arm";
            case "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> machine;
        };
    }

    // --- images ---------------------------------------------------------------------------------

    @Override
    public List<ImageInfo> images() {
        List<Image> list = call("RuntimeUnavailable", "list images", () -> docker.listImagesCmd().exec());
        List<ImageInfo> out = new ArrayList<>();
        for (Image img : list) {
            List<String> names = new ArrayList<>();
            for (String d : nullToEmpty(img.getRepoDigests())) {
                if (!d.startsWith("<none>")) {
                    names.add(d);
                }
            }
            for (String t : nullToEmpty(img.getRepoTags())) {
                if (!t.startsWith("<none>")) {
                    names.add(t);
                }
            }
            out.add(new ImageInfo(img.getId(), names, img.getSize() == null ? 0 : img.getSize()));
        }
        return out;
    }

    @Override
    public Optional<String> imageId(String image) {
        try {
            return Optional.ofNullable(docker.inspectImageCmd(image).exec().getId());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw failure("RuntimeUnavailable", "inspect image " + image, e);
        }
    }

    @Override
    public void pullImage(String image, Optional<RegistryAuth> auth) {
        String ref = withDefaultTag(image);
        try {
            var cmd = docker.pullImageCmd(ref);
            auth.ifPresent(a -> cmd.withAuthConfig(new AuthConfig()
                    .withRegistryAddress(a.registry()).withUsername(a.username()).withPassword(a.password())));
            cmd.exec(new PullImageResultCallback()).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException("ErrImagePull", "pulling image \"" + image + "\" was interrupted", e);
        } catch (RuntimeException e) {
            throw new ContainerRuntimeException("ErrImagePull",
                    "failed to pull image \"" + image + "\": " + engineMessage(e), e);
        }
    }

    /**
     * An untagged reference gets {@code :latest}, as {@code docker pull} does: the engine API
     * would otherwise pull every tag of the repository.
     */
    static String withDefaultTag(String image) {
        if (image.contains("@")) {
            return image;
        }
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0 ? image : image + ":latest";
    }

    @Override
    public List<String> loadImages(InputStream tar) {
        List<String> loaded = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try {
            docker.loadImageAsyncCmd(tar).exec(new ResultCallback.Adapter<LoadResponseItem>() {
                @Override
                public void onNext(LoadResponseItem item) {
                    if (item.getErrorDetail() != null || item.getError() != null) {
                        errors.add(item.getError() != null ? item.getError() : item.getErrorDetail().getMessage());
                    }
                    String stream = item.getStream();
                    if (stream != null) {
                        for (String line : stream.split("\n")) {
                            line = line.strip();
                            if (line.startsWith("Loaded image: ")) {
                                loaded.add(line.substring("Loaded image: ".length()).strip());
                            } else if (line.startsWith("Loaded image ID: ")) {
                                loaded.add(line.substring("Loaded image ID: ".length()).strip());
                            }
                        }
                    }
                }
            }).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException("ImageLoadFailed", "loading images was interrupted", e);
        } catch (RuntimeException e) {
            throw failure("ImageLoadFailed", "load images", e);
        }
        if (!errors.isEmpty()) {
            throw new ContainerRuntimeException("ImageLoadFailed", "failed to load images: " + String.join("; ", errors));
        }
        return List.copyOf(loaded);
    }

    @Override
    public String ensureInfraImage() {
        String ready = infraImage;
        if (ready != null) {
            return ready;
        }
        synchronized (this) {
            if (infraImage != null) {
                return infraImage;
            }
            RuntimeInfo r = info != null ? info : info();
            InfraImage image = InfraImage.build(r.architecture());
            Optional<String> present = imageId(image.reference());
            if (present.isEmpty() || !present.get().equals(image.imageId())) {
                List<String> loaded = loadImages(new ByteArrayInputStream(image.tar()));
                if (!loaded.contains(image.reference())) {
                    throw new ContainerRuntimeException("ImageLoadFailed", "loading the infra image "
                            + image.reference() + " gave " + loaded);
                }
            }
            infraImage = image.reference();
            return infraImage;
        }
    }

    // --- networks -------------------------------------------------------------------------------

    @Override
    public synchronized String ensureNetwork(String name, String subnetCidr, String gateway) {
        String full = namePrefix + name;
        Network existing = inspectNetwork(full);
        if (existing != null) {
            String subnet = existing.getIpam() == null || existing.getIpam().getConfig() == null
                    || existing.getIpam().getConfig().isEmpty() ? "" : existing.getIpam().getConfig().getFirst().getSubnet();
            boolean inUse = existing.getContainers() != null && !existing.getContainers().isEmpty();
            if (subnetCidr.equals(subnet)) {
                String masquerade = existing.getOptions() == null ? null : existing.getOptions().get(MASQUERADE_OPTION);
                if ("false".equals(masquerade)) {
                    return full;
                }
                if (inUse) {
                    // recreating it would cut the pods on it off; Docker's masquerading stays until they are gone
                    log.warn("network {} masquerades all its traffic (made before Berth masqueraded only traffic leaving"
                            + " the cluster range); it is kept while {} container(s) use it and recreated once none does",
                            full, existing.getContainers().size());
                    return full;
                }
                removeNetwork(full);
                return createNetwork(full, subnetCidr, gateway);
            }
            if (inUse) {
                throw new ContainerRuntimeException("NetworkInUse", "network " + full + " has subnet " + subnet
                        + " but " + subnetCidr + " is wanted, and it cannot be recreated while "
                        + existing.getContainers().size() + " container(s) use it");
            }
            removeNetwork(full);
        }
        return createNetwork(full, subnetCidr, gateway);
    }

    /**
     * Docker's option that turns its own masquerading of a bridge's traffic off: the agent's pod
     * network rules masquerade only traffic leaving the cluster range, so that pods on other nodes
     * see each other's addresses.
     */
    public static final String MASQUERADE_OPTION = "com.docker.network.bridge.enable_ip_masquerade";

    private String createNetwork(String full, String subnetCidr, String gateway) {
        Map<String, String> options = Map.of("com.docker.network.bridge.name", bridgeName(full),
                MASQUERADE_OPTION, "false");
        call("NetworkCreateFailed", "create network " + full + " with subnet " + subnetCidr,
                () -> docker.createNetworkCmd()
                        .withName(full)
                        .withDriver("bridge")
                        .withCheckDuplicate(true)
                        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config()
                                .withSubnet(subnetCidr).withGateway(gateway)))
                        .withOptions(options)
                        .withLabels(Map.of(RuntimeLabels.NODE, nodeName))
                        .exec());
        return full;
    }

    @Override
    public java.util.Optional<String> bridgeInterface(String fullName) {
        return java.util.Optional.of(bridgeName(fullName));
    }

    /** {@code berth} and 10 hex digits of the network name's hash: unique enough, and 15 characters. */
    static String bridgeName(String networkName) {
        String hash = InfraImage.sha256(networkName.getBytes(StandardCharsets.UTF_8));
        return "berth" + hash.substring(0, BRIDGE_NAME_MAX - "berth".length());
    }

    private Network inspectNetwork(String name) {
        try {
            return docker.inspectNetworkCmd().withNetworkId(name).exec();
        } catch (NotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw failure("RuntimeUnavailable", "inspect network " + name, e);
        }
    }

    @Override
    public void removeNetwork(String fullName) {
        try {
            docker.removeNetworkCmd(fullName).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            throw failure("NetworkRemoveFailed", "remove network " + fullName, e);
        }
    }

    // --- sandboxes and containers -----------------------------------------------------------------

    @Override
    public String runSandbox(SandboxSpec spec) {
        String image = ensureInfraImage();
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.putAll(podLabels(spec));
        labels.put(RuntimeLabels.ROLE, RuntimeLabels.ROLE_SANDBOX);
        labels.put(RuntimeLabels.ATTEMPT, "0");

        HostConfig hc = HostConfig.newHostConfig()
                .withRestartPolicy(RestartPolicy.noRestart())
                .withNetworkMode(spec.hostNetwork() ? "host" : spec.network())
                .withIpcMode(spec.hostIpc() ? "host" : "shareable")
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, LOG_OPTIONS));
        if (spec.hostPid()) {
            hc.withPidMode("host");
        }
        if (!spec.dnsServers().isEmpty()) {
            hc.withDns(spec.dnsServers());
        }
        if (!spec.dnsSearches().isEmpty()) {
            hc.withDnsSearch(spec.dnsSearches());
        }
        if (!spec.dnsOptions().isEmpty()) {
            hc.withDnsOptions(spec.dnsOptions());
        }
        if (!spec.extraHosts().isEmpty()) {
            hc.withExtraHosts(spec.extraHosts().toArray(String[]::new));
        }
        if (!spec.sysctls().isEmpty()) {
            hc.withSysctls(spec.sysctls());
        }
        List<ExposedPort> exposed = new ArrayList<>();
        if (!spec.ports().isEmpty() && !spec.hostNetwork()) {
            Ports ports = new Ports();
            for (SandboxSpec.PortMapping p : spec.ports()) {
                ExposedPort e = new ExposedPort(p.containerPort(), protocol(p.protocol()));
                exposed.add(e);
                ports.bind(e, p.hostIp() == null || p.hostIp().isEmpty()
                        ? Ports.Binding.bindPort(p.hostPort()) : Ports.Binding.bindIpAndPort(p.hostIp(), p.hostPort()));
            }
            hc.withPortBindings(ports);
        }
        String name = namePrefix + "POD_" + spec.name() + "_" + spec.namespace() + "_" + spec.podUid() + "_"
                + HexFormat.of().formatHex(randomBytes(3));
        CreateContainerCmd cmd = docker.createContainerCmd(image)
                .withName(name)
                .withLabels(labels)
                .withHostConfig(hc);
        if (!exposed.isEmpty()) {
            cmd.withExposedPorts(exposed);
        }
        if (!spec.hostNetwork() && spec.hostname() != null && !spec.hostname().isEmpty()) {
            cmd.withHostName(spec.hostname());
            if (!spec.domainname().isEmpty()) {
                // Docker then writes "IP HOSTNAME.DOMAIN HOSTNAME" to /etc/hosts, as kubelet's hosts file has it
                cmd.withDomainName(spec.domainname());
            }
        }
        String id = call("CreatePodSandboxError", "create the sandbox of pod " + spec.namespace() + "/" + spec.name(),
                () -> cmd.exec().getId());
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            ContainerRuntimeException failure = failure("CreatePodSandboxError",
                    "start the sandbox of pod " + spec.namespace() + "/" + spec.name(), e);
            try {
                removeContainer(id);
            } catch (RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        if (!spec.hostNetwork() && !spec.dnsServers().isEmpty()) {
            writeResolvConf(id, spec);
        }
        return id;
    }

    /**
     * On a user-defined network Docker points resolv.conf at its embedded resolver (127.0.0.11)
     * and forwards from there; pods must see the cluster DNS server itself, as kubelet gives them.
     * Like kubelet's dockershim, rewrite the sandbox's resolv.conf (which every container of the
     * pod shares) when the engine's files are ours to write, i.e. the engine is local.
     */
    private void writeResolvConf(String sandboxId, SandboxSpec spec) {
        if (!"unix".equals(host.getScheme())) {
            return;
        }
        String path = call("CreatePodSandboxError", "inspect sandbox " + sandboxId,
                () -> docker.inspectContainerCmd(sandboxId).exec().getResolvConfPath());
        if (path == null || path.isEmpty()) {
            return;
        }
        StringBuilder conf = new StringBuilder();
        if (!spec.dnsSearches().isEmpty()) {
            conf.append("search ").append(String.join(" ", spec.dnsSearches())).append('\n');
        }
        for (String server : spec.dnsServers()) {
            conf.append("nameserver ").append(server).append('\n');
        }
        if (!spec.dnsOptions().isEmpty()) {
            conf.append("options ").append(String.join(" ", spec.dnsOptions())).append('\n');
        }
        try {
            Files.writeString(Path.of(path), conf.toString());
        } catch (IOException | RuntimeException e) {
            // not the engine's filesystem (or no permission): Docker's embedded resolver still
            // forwards to the pod's DNS servers, so name resolution works either way
        }
    }

    private static InternetProtocol protocol(String protocol) {
        String p = protocol == null || protocol.isEmpty() ? "TCP" : protocol.toUpperCase(Locale.ROOT);
        return switch (p) {
            case "TCP" -> InternetProtocol.TCP;
            case "UDP" -> InternetProtocol.UDP;
            case "SCTP" -> InternetProtocol.SCTP;
            default -> throw new ContainerRuntimeException("CreatePodSandboxError", "ports[].protocol \"" + protocol
                    + "\" is not supported: it must be TCP, UDP or SCTP");
        };
    }

    private Map<String, String> podLabels(SandboxSpec spec) {
        Map<String, String> labels = new HashMap<>();
        labels.put(RuntimeLabels.POD_UID, spec.podUid());
        labels.put(RuntimeLabels.POD_NAMESPACE, spec.namespace());
        labels.put(RuntimeLabels.POD_NAME, spec.name());
        labels.put(RuntimeLabels.NODE, nodeName);
        return labels;
    }

    @Override
    public String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec) {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.putAll(podLabels(sandbox));
        labels.put(RuntimeLabels.CONTAINER_NAME, spec.name());
        labels.put(RuntimeLabels.ROLE, spec.role());
        labels.put(RuntimeLabels.ATTEMPT, Integer.toString(spec.attempt()));

        String joined = "container:" + sandboxId;
        HostConfig hc = HostConfig.newHostConfig()
                .withRestartPolicy(RestartPolicy.noRestart())
                .withNetworkMode(joined)
                .withIpcMode(sandbox.hostIpc() ? "host" : joined)
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, LOG_OPTIONS))
                .withPrivileged(spec.privileged())
                .withReadonlyRootfs(spec.readOnlyRootfs());
        if (sandbox.hostPid()) {
            hc.withPidMode("host");
        } else if ("true".equals(sandbox.labels().get(RuntimeLabels.SHARE_PROCESS_NAMESPACE))) {
            hc.withPidMode(joined);
        }
        List<Bind> binds = new ArrayList<>();
        for (ContainerSpec.Mount m : spec.mounts()) {
            binds.add(new Bind(m.hostPath(), new Volume(m.containerPath()), m.readOnly() ? AccessMode.ro : AccessMode.rw,
                    SELContext.none, null, propagation(spec.name(), m)));
        }
        if (!binds.isEmpty()) {
            hc.withBinds(binds);
        }
        if (spec.memoryLimitBytes() > 0) {
            // swap as large as memory: no swap, so the limit is what the OOM killer enforces
            hc.withMemory(spec.memoryLimitBytes()).withMemorySwap(spec.memoryLimitBytes());
        }
        if (spec.cpuQuotaMillis() > 0) {
            long quota = Math.max(MIN_CPU_QUOTA_MICROS, spec.cpuQuotaMillis() * CPU_PERIOD_MICROS / 1000);
            hc.withCpuPeriod(CPU_PERIOD_MICROS).withCpuQuota(quota);
        }
        if (spec.cpuShares() > 0) {
            hc.withCpuShares((int) Math.max(2, spec.cpuShares()));
        }
        if (!spec.capAdd().isEmpty()) {
            hc.withCapAdd(capabilities(spec.name(), "add", spec.capAdd()));
        }
        if (!spec.capDrop().isEmpty()) {
            hc.withCapDrop(capabilities(spec.name(), "drop", spec.capDrop()));
        }
        if (!spec.supplementalGroups().isEmpty()) {
            hc.withGroupAdd(spec.supplementalGroups().stream().map(String::valueOf).toList());
        }
        String name = namePrefix + spec.name() + "_" + sandbox.name() + "_" + sandbox.namespace() + "_"
                + sandbox.podUid() + "_" + spec.attempt();
        CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                .withName(name)
                .withLabels(labels)
                .withHostConfig(hc)
                .withEnv(spec.env())
                .withStdinOpen(spec.stdin())
                .withStdInOnce(spec.stdinOnce())
                .withAttachStdin(spec.stdin())
                .withTty(spec.tty());
        if (!spec.entrypoint().isEmpty()) {
            cmd.withEntrypoint(spec.entrypoint());
            // Kubernetes: command without args ignores the image's cmd; Docker drops it when the entrypoint is set
            cmd.withCmd(spec.args());
        } else if (!spec.args().isEmpty()) {
            cmd.withCmd(spec.args());
        }
        if (!spec.workingDir().isEmpty()) {
            cmd.withWorkingDir(spec.workingDir());
        }
        if (!spec.user().isEmpty()) {
            cmd.withUser(spec.user());
        }
        try {
            return cmd.exec().getId();
        } catch (NotFoundException e) {
            String message = engineMessage(e);
            if (message.contains("image")) {
                throw new dev.berth.agent.runtime.ImageNotFoundException(spec.image(), message);
            }
            throw new ContainerRuntimeException("CreateContainerError", "container " + spec.name() + ": " + message, e);
        } catch (RuntimeException e) {
            throw failure("CreateContainerError", "create container " + spec.name() + " of pod "
                    + sandbox.namespace() + "/" + sandbox.name(), e);
        }
    }

    private static PropagationMode propagation(String container, ContainerSpec.Mount m) {
        String p = m.propagation() == null || m.propagation().isEmpty() ? "rprivate" : m.propagation();
        return switch (p) {
            case "rprivate", "private" -> PropagationMode.PRIVATE;
            case "rslave", "slave" -> PropagationMode.SLAVE;
            case "rshared", "shared" -> PropagationMode.SHARED;
            default -> throw new ContainerRuntimeException("CreateContainerError", "container " + container
                    + ": volumeMounts[" + m.containerPath() + "].mountPropagation \"" + p
                    + "\" is not supported: it must be rprivate, rslave or rshared");
        };
    }

    private static Capability[] capabilities(String container, String which, List<String> names) {
        List<Capability> caps = new ArrayList<>();
        for (String n : names) {
            String plain = n.toUpperCase(Locale.ROOT);
            if (plain.startsWith("CAP_")) {
                plain = plain.substring(4);
            }
            try {
                caps.add(Capability.valueOf(plain));
            } catch (IllegalArgumentException e) {
                throw new ContainerRuntimeException("CreateContainerError", "container " + container
                        + ": securityContext.capabilities." + which + " \"" + n + "\" is not a Linux capability");
            }
        }
        return caps.toArray(Capability[]::new);
    }

    @Override
    public void startContainer(String id) {
        try {
            docker.startContainerCmd(id).exec();
        } catch (NotModifiedException e) {
            // already running
        } catch (NotFoundException e) {
            if (engineMessage(e).contains("No such container")) {
                throw new ContainerNotFoundException(id);
            }
            throw new ContainerRuntimeException("RunContainerError", engineMessage(e), e);
        } catch (RuntimeException e) {
            throw failure("RunContainerError", "start container " + id, e);
        }
    }

    @Override
    public void stopContainer(String id, Duration grace) {
        long seconds = Math.max(0, (grace.toMillis() + 999) / 1000);
        try {
            docker.stopContainerCmd(id).withTimeout((int) Math.min(Integer.MAX_VALUE, seconds)).exec();
        } catch (NotModifiedException e) {
            // already stopped
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("KillContainerError", "stop container " + id, e);
        }
    }

    @Override
    public void removeContainer(String id) {
        inspected.remove(id);
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            if (engineMessage(e).contains("is already in progress")) {
                return;
            }
            throw failure("RemoveContainerError", "remove container " + id, e);
        }
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(RuntimeLabels.NODE, nodeName);
        var list = call("RuntimeUnavailable", "list containers",
                () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec());
        List<ContainerInfo> out = new ArrayList<>();
        for (var c : list) {
            try {
                // the engine's list says whether a container changed state; only those are inspected again
                // (the agent lists every second, and an inspect per container per second would load the engine)
                Inspected cached = inspected.get(c.getId());
                ContainerInfo info;
                if (cached != null && cached.state().equals(String.valueOf(c.getState()))) {
                    info = cached.info();
                } else {
                    info = inspect(c.getId());
                    inspected.put(c.getId(), new Inspected(String.valueOf(c.getState()), info));
                }
                // the engine's label filter is exact, but be sure another node's container never shows
                if (nodeName.equals(info.label(RuntimeLabels.NODE))) {
                    out.add(info);
                }
            } catch (ContainerNotFoundException gone) {
                inspected.remove(c.getId());   // removed between list and inspect
            }
        }
        if (labels.isEmpty()) {
            // a full list: forget containers that are gone
            java.util.Set<String> present = new java.util.HashSet<>();
            list.forEach(c -> present.add(c.getId()));
            inspected.keySet().retainAll(present);
        }
        return out;
    }

    /** The last inspection of a container and the list state it was made in. */
    private record Inspected(String state, ContainerInfo info) {
    }

    private final Map<String, Inspected> inspected = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public ContainerInfo inspect(String id) {
        InspectContainerResponse r;
        try {
            r = docker.inspectContainerCmd(id).exec();
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("RuntimeUnavailable", "inspect container " + id, e);
        }
        var s = r.getState();
        ContainerState state = switch (s == null || s.getStatus() == null ? "" : s.getStatus()) {
            case "created" -> ContainerState.CREATED;
            case "running", "paused", "restarting" -> ContainerState.RUNNING;
            case "exited", "dead" -> ContainerState.EXITED;
            default -> ContainerState.UNKNOWN;
        };
        Map<String, String> labels = r.getConfig() == null || r.getConfig().getLabels() == null
                ? Map.of() : r.getConfig().getLabels();
        String ip = "";
        if (RuntimeLabels.ROLE_SANDBOX.equals(labels.get(RuntimeLabels.ROLE)) && r.getNetworkSettings() != null
                && r.getNetworkSettings().getNetworks() != null) {
            for (Map.Entry<String, ContainerNetwork> n : r.getNetworkSettings().getNetworks().entrySet()) {
                if (!n.getKey().equals("host") && n.getValue().getIpAddress() != null
                        && !n.getValue().getIpAddress().isEmpty()) {
                    ip = n.getValue().getIpAddress();
                    break;
                }
            }
        }
        Instant startedAt = s == null ? null : time(s.getStartedAt());
        Instant finishedAt = s == null || state != ContainerState.EXITED ? null : time(s.getFinishedAt());
        if (startedAt != null && finishedAt != null && finishedAt.isBefore(startedAt)) {
            // the engine takes the two from different clocks (daemon and shim); a container that
            // exits at once can seem to finish before it started, which Kubernetes never reports
            finishedAt = startedAt;
        }
        String name = r.getName() == null ? "" : r.getName().startsWith("/") ? r.getName().substring(1) : r.getName();
        return new ContainerInfo(r.getId(), name, r.getConfig() == null ? "" : orEmpty(r.getConfig().getImage()),
                orEmpty(r.getImageId()), labels, state,
                s == null || s.getExitCodeLong() == null ? 0 : s.getExitCodeLong().intValue(),
                s != null && Boolean.TRUE.equals(s.getOOMKilled()), s == null ? "" : orEmpty(s.getError()),
                time(r.getCreated()), startedAt, finishedAt, ip,
                s == null || s.getPidLong() == null || state != ContainerState.RUNNING ? 0 : s.getPidLong());
    }

    private static Instant time(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return null;
        }
        try {
            Instant t = Instant.parse(rfc3339);
            return t.equals(ZERO_TIME) ? null : t;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // --- exec, attach, logs -----------------------------------------------------------------------

    @Override
    public ExecResult exec(String id, List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new ContainerRuntimeException("ExecError", "exec command must not be empty");
        }
        String execId = createExec(id, command, false, true, true, false);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (output) {
                    int room = EXEC_OUTPUT_LIMIT - output.size();
                    if (room > 0) {
                        byte[] p = frame.getPayload();
                        output.write(p, 0, Math.min(room, p.length));
                    }
                }
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            docker.execStartCmd(execId).exec(callback);
            boolean finished = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (finished) {
                InspectExecResponse ie = awaitExecExit(execId, deadline);
                if (ie != null) {
                    return new ExecResult(ie.getExitCodeLong().intValue(), text(output), false);
                }
            }
            killExec(id, execId);
            return new ExecResult(-1, text(output), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killExec(id, execId);
            throw new ContainerRuntimeException("ExecError", "exec in " + id + " was interrupted", e);
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("ExecError", "exec in container " + id, e);
        } finally {
            closeQuietly(callback);
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The exec's state once it is no longer running (its exit code set), or null at the deadline. */
    private InspectExecResponse awaitExecExit(String execId, long deadlineNanos) throws InterruptedException {
        long pause = 1;
        while (true) {
            InspectExecResponse ie = docker.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(ie.isRunning()) && ie.getExitCodeLong() != null) {
                return ie;
            }
            if (System.nanoTime() > deadlineNanos) {
                return null;
            }
            // the output stream can end a moment before the engine records the exit code
            Thread.sleep(pause);
            pause = Math.min(50, pause * 2);
        }
    }

    /**
     * Kills a timed-out exec'd process. The engine has no API for it; when the engine is local
     * and this process shares its PID namespace (the agent runs on the host, as root), the
     * host pid it reports is ours to signal. The check that the pid lives in the container's PID
     * namespace guards against signalling an unrelated process; otherwise we only give up on it.
     */
    private void killExec(String containerId, String execId) {
        if (!"unix".equals(host.getScheme())) {
            return;
        }
        try {
            InspectExecResponse ie = docker.inspectExecCmd(execId).exec();
            Long pid = ie.getPidLong();
            if (pid == null || pid <= 0 || !Boolean.TRUE.equals(ie.isRunning())) {
                return;
            }
            Long containerPid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
            if (containerPid == null || containerPid <= 0) {
                return;
            }
            Path execNs = Path.of("/proc", pid.toString(), "ns", "pid");
            Path containerNs = Path.of("/proc", containerPid.toString(), "ns", "pid");
            if (Files.readSymbolicLink(execNs).equals(Files.readSymbolicLink(containerNs))) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | RuntimeException e) {
            // cannot tell or cannot signal: give up on the process, as the timeout already says
        }
    }

    private String createExec(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        try {
            return docker.execCreateCmd(id)
                    .withCmd(command.toArray(String[]::new))
                    .withAttachStdin(stdin)
                    .withAttachStdout(stdout)
                    .withAttachStderr(stderr)
                    .withTty(tty)
                    .exec().getId();
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("ExecError", "exec " + command + " in container " + id, e);
        }
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr,
                                    boolean tty) {
        if (command.isEmpty()) {
            throw new ContainerRuntimeException("ExecError", "exec command must not be empty");
        }
        String execId = createExec(id, command, stdin, stdout, stderr, tty);
        DockerStreamSession.ExitCode exitCode = () -> {
            InspectExecResponse ie = awaitExecExit(execId, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            return ie == null ? -1 : ie.getExitCodeLong().intValue();
        };
        if (ownStreamConnections && HijackedSession.supports(host, tls)) {
            String body;
            try {
                body = JSON.writeValueAsString(Map.of("Detach", false, "Tty", tty));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return HijackedSession.open(streamLoop(), host, "/exec/" + execId + "/start", body, tty,
                    (cols, rows) -> docker.resizeExecCmd(execId).withSize(rows, cols).exec(), exitCode);
        }
        DockerStreamSession session = new DockerStreamSession(stdin, (cols, rows) ->
                docker.resizeExecCmd(execId).withSize(rows, cols).exec(),
                () -> {
                    InspectExecResponse ie = awaitExecExit(execId, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                    return ie == null ? -1 : ie.getExitCodeLong().intValue();
                });
        var cmd = docker.execStartCmd(execId).withTty(tty);
        if (stdin) {
            cmd.withStdIn(session.stdinSource());
        }
        try {
            cmd.exec(session.callback());
        } catch (RuntimeException e) {
            session.close();
            throw failure("ExecError", "start exec in container " + id, e);
        }
        return session;
    }

    @Override
    public StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        InspectContainerResponse r;
        try {
            r = docker.inspectContainerCmd(id).exec();
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("AttachError", "inspect container " + id, e);
        }
        if (ownStreamConnections && HijackedSession.supports(host, tls)) {
            // the container's own TTY setting decides whether the engine frames the output
            boolean containerTty = r.getConfig() != null && Boolean.TRUE.equals(r.getConfig().getTty());
            String path = "/containers/" + r.getId() + "/attach?stream=1&stdin=" + (stdin ? 1 : 0)
                    + "&stdout=" + (stdout ? 1 : 0) + "&stderr=" + (stderr ? 1 : 0);
            return HijackedSession.open(streamLoop(), host, path, "", containerTty,
                    (cols, rows) -> docker.resizeContainerCmd(id).withSize(rows, cols).exec(), () -> -1);
        }
        DockerStreamSession session = new DockerStreamSession(stdin, (cols, rows) ->
                docker.resizeContainerCmd(id).withSize(rows, cols).exec(), () -> -1);
        var cmd = docker.attachContainerCmd(id)
                .withFollowStream(true)
                .withLogs(false)
                .withStdOut(stdout)
                .withStdErr(stderr);
        if (stdin) {
            cmd.withStdIn(session.stdinSource());
        }
        try {
            cmd.exec(session.callback());
        } catch (NotFoundException e) {
            session.close();
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            session.close();
            throw failure("AttachError", "attach to container " + id, e);
        }
        return session;
    }

    @Override
    public InputStream logs(String id, LogOptions options) {
        // the engine reports a missing container only inside the asynchronous stream; ask first
        inspect(id);
        LogContainerCmd cmd = docker.logContainerCmd(id)
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(options.follow())
                // timestamps are needed to cut at a sub-second "since"; stripped again if not asked for
                .withTimestamps(options.timestamps() || options.since() != null);
        if (options.tailLines() >= 0) {
            cmd.withTail((int) Math.min(Integer.MAX_VALUE, options.tailLines()));
        } else {
            cmd.withTailAll();
        }
        if (options.since() != null) {
            cmd.withSince((int) Math.max(0, options.since().getEpochSecond()));
        }
        LogStream stream = new LogStream(options);
        try {
            cmd.exec(stream.callback());
        } catch (NotFoundException e) {
            throw new ContainerNotFoundException(id);
        } catch (RuntimeException e) {
            throw failure("LogsError", "read logs of container " + id, e);
        }
        return stream.source();
    }

    @Override
    public void close() {
        io.netty.channel.EventLoopGroup loop = streamLoop;
        if (loop != null) {
            loop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    private static <T> T call(String reason, String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw failure(reason, what, e);
        }
    }

    static ContainerRuntimeException failure(String reason, String what, RuntimeException e) {
        if (e instanceof ContainerRuntimeException cre) {
            return cre;
        }
        return new ContainerRuntimeException(reason, "failed to " + what + ": " + engineMessage(e), e);
    }

    /** The engine's own message: docker-java wraps it as {@code Status 404: {"message":"..."}}. */
    static String engineMessage(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof DockerException && !(e instanceof DockerClientException)) {
            int brace = m.indexOf('{');
            if (brace >= 0) {
                try {
                    JsonNode node = JSON.readTree(m.substring(brace));
                    if (node.hasNonNull("message")) {
                        return node.get("message").asText();
                    }
                } catch (IOException notJson) {
                    // keep the whole text
                }
            }
        }
        return m.strip();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <T> List<T> nullToEmpty(T[] array) {
        return array == null ? List.of() : List.of(array);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    static boolean isStdout(Frame f) {
        return f.getStreamType() == StreamType.STDOUT || f.getStreamType() == StreamType.RAW;
    }
}
