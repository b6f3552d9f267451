package dev.berth.core.metrics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes the Summary API of every node every {@link #INTERVAL}, as metrics-server does, into a
 * {@link ResourceMetrics}. A node's Summary is at {@code https://INTERNAL-IP:KUBELET-PORT/stats/summary},
 * or at the URL its {@value #STATS_URL_ANNOTATION} annotation names (simulated nodes serve many
 * nodes from one address), which must point at one of the node's own addresses.
 */
public final class SummaryScraper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SummaryScraper.class);
    public static final Duration INTERVAL = Duration.ofSeconds(15);
    public static final String STATS_URL_ANNOTATION = "node.berth.dev/stats-url";
    static final int MAX_IN_FLIGHT = 32;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final SharedIndexInformer<Node> nodes;
    private final ResourceMetrics metrics;
    private final Clock clock;
    private volatile HttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("metrics-scraper").daemon(true).factory());
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    /** The last cumulative CPU counters, to turn counters into rates when a Summary has no rate. */
    private final Map<String, Map<String, CpuPoint>> lastCpu = new ConcurrentHashMap<>();

    private record CpuPoint(Instant time, long coreNanoSeconds) {
    }

    public SummaryScraper(KubernetesClient client, ResourceMetrics metrics, Clock clock, SSLContext tls) {
        this.nodes = dev.berth.core.controller.runtime.Informers.keepRetrying(client.nodes().runnableInformer(0), "nodes");
        this.metrics = metrics;
        this.clock = clock;
        this.http = httpClient(tls);
    }

    private static HttpClient httpClient(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor());
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }

    /**
     * Scrapes with {@code tls} from now on (a renewed kubelet-client certificate); scrapes under way
     * finish on the previous client, which then shuts down.
     */
    public void useSslContext(SSLContext tls) {
        HttpClient old = http;
        http = httpClient(tls);
        old.shutdown();
    }

    public void start() {
        nodes.start();
        timer.scheduleWithFixedDelay(this::scrapeQuietly, 1, INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }

    private void scrapeQuietly() {
        try {
            scrapeAll();
        } catch (RuntimeException e) {
            log.warn("metrics scrape failed", e);
        }
    }

    /** Starts the node list (not the timer) and scrapes once when it is filled: for tests and one-off use. */
    public void scrapeAllWhenListed() {
        nodes.start().toCompletableFuture().join();
        scrapeAll();
    }

    /** Scrapes every node once, waiting for all; public for tests. */
    public void scrapeAll() {
        List<Node> all = nodes.getStore().list();
        Set<String> names = new HashSet<>();
        List<Thread> running = new ArrayList<>();
        for (Node node : all) {
            names.add(node.getMetadata().getName());
            URI uri = statsUri(node);
            if (uri == null) {
                continue;
            }
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            running.add(Thread.ofVirtual().start(() -> {
                try {
                    scrape(node.getMetadata().getName(), uri);
                } finally {
                    inFlight.release();
                }
            }));
        }
        for (Thread t : running) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (ResourceMetrics.NodeSample s : metrics.nodes()) {
            if (!names.contains(s.node())) {
                metrics.remove(s.node());
                lastCpu.remove(s.node());
            }
        }
    }

    /** Where the node's Summary is, or null when it publishes none. */
    static URI statsUri(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return null;
        }
        Set<String> own = new HashSet<>();
        String internal = null;
        for (NodeAddress a : node.getStatus().getAddresses()) {
            own.add(a.getAddress());
            if ("InternalIP".equals(a.getType()) && internal == null) {
                internal = a.getAddress();
            }
        }
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        String url = annotations == null ? null : annotations.get(STATS_URL_ANNOTATION);
        if (url != null) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                log.warn("node {}: annotation {} is not a URL: {}", node.getMetadata().getName(), STATS_URL_ANNOTATION, url);
                return null;
            }
            // never fetch from an address that is not the node's own (a node on loopback may use any loopback address)
            if (uri.getHost() == null || !(own.contains(uri.getHost()) || loopback(uri.getHost()) && own.stream().anyMatch(SummaryScraper::loopback))) {
                log.warn("node {}: {} {} does not point at one of the node's addresses {}",
                        node.getMetadata().getName(), STATS_URL_ANNOTATION, url, own);
                return null;
            }
            return uri;
        }
        Integer port = node.getStatus().getDaemonEndpoints() == null
                || node.getStatus().getDaemonEndpoints().getKubeletEndpoint() == null
                ? null : node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        if (internal == null || port == null || port == 0) {
            return null;
        }
        String host = internal.contains(":") ? "[" + internal + "]" : internal;
        return URI.create("https://" + host + ":" + port + "/stats/summary");
    }

    private static boolean loopback(String host) {
        return host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    private void scrape(String nodeName, URI uri) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                log.debug("node {}: {} answered {}", nodeName, uri, r.statusCode());
                return;
            }
            Summary summary = JSON.readValue(r.body(), Summary.class);
            record(nodeName, summary);
        } catch (IOException e) {
            log.debug("node {}: cannot scrape {}: {}", nodeName, uri, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Turns one Summary into samples; public for tests and for in-process nodes. */
    public void record(String nodeName, Summary summary) {
        Instant now = clock.instant();
        if (summary.node() == null) {
            return;
        }
        // counters of containers that are gone are dropped with the node's previous scrape
        Map<String, CpuPoint> previousCpu = lastCpu.getOrDefault(nodeName, Map.of());
        Map<String, CpuPoint> cpuNow = new java.util.HashMap<>();
        Usage nodeUsage = usage(previousCpu, cpuNow, "node", summary.node().cpu(), summary.node().memory(), now);
        ResourceMetrics.NodeSample node = new ResourceMetrics.NodeSample(nodeName,
                time(summary.node().cpu(), now), INTERVAL, nodeUsage);
        List<ResourceMetrics.PodSample> pods = new ArrayList<>();
        if (summary.pods() != null) {
            for (Summary.PodStats p : summary.pods()) {
                if (p.podRef() == null || p.containers() == null) {
                    continue;
                }
                List<ResourceMetrics.ContainerSample> containers = new ArrayList<>();
                Instant ts = now;
                for (Summary.ContainerStats c : p.containers()) {
                    String key = p.podRef().namespace() + "/" + p.podRef().name() + "/" + c.name();
                    containers.add(new ResourceMetrics.ContainerSample(c.name(),
                            usage(previousCpu, cpuNow, key, c.cpu(), c.memory(), now)));
                    ts = time(c.cpu(), now);
                }
                pods.add(new ResourceMetrics.PodSample(p.podRef().namespace(), p.podRef().name(), nodeName, ts,
                        INTERVAL, containers));
            }
        }
        lastCpu.put(nodeName, cpuNow);
        metrics.update(node, pods);
    }

    private static Usage usage(Map<String, CpuPoint> previousCpu, Map<String, CpuPoint> cpuNow, String key,
                               Summary.CpuStats cpu, Summary.MemoryStats memory, Instant now) {
        long nanoCores = 0;
        if (cpu != null) {
            if (cpu.usageNanoCores() != null) {
                nanoCores = cpu.usageNanoCores();
            } else if (cpu.usageCoreNanoSeconds() != null) {
                Instant at = time(cpu, now);
                CpuPoint previous = previousCpu.get(key);
                cpuNow.put(key, new CpuPoint(at, cpu.usageCoreNanoSeconds()));
                if (previous != null && at.isAfter(previous.time()) && cpu.usageCoreNanoSeconds() >= previous.coreNanoSeconds()) {
                    double seconds = Duration.between(previous.time(), at).toNanos() / 1e9;
                    nanoCores = (long) ((cpu.usageCoreNanoSeconds() - previous.coreNanoSeconds()) / seconds);
                }
            }
        }
        long bytes = memory == null || memory.workingSetBytes() == null ? 0 : memory.workingSetBytes();
        return new Usage(Math.max(0, nanoCores), Math.max(0, bytes));
    }

    private static Instant time(Summary.CpuStats cpu, Instant fallback) {
        if (cpu == null || cpu.time() == null) {
            return fallback;
        }
        try {
            return Instant.parse(cpu.time());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        nodes.stop();
        http.close();
    }
}
