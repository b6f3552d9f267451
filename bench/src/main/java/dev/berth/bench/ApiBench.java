package dev.berth.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.berth.core.apiserver.ApiServer;
import dev.berth.core.apiserver.http.ApiResponse;
import dev.berth.core.apiserver.http.HttpServer;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.Tls;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.store.sqlite.SqliteStore;
import dev.berth.core.store.sqlite.SqliteStoreConfig;
import io.netty.handler.ssl.ClientAuth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * API benchmark: the Kubernetes API of a running control plane over HTTPS, each figure beside a
 * baseline measured in the same run. Prints one JSON object per line.
 *
 * <ol>
 *   <li>{@code creates}: 1 KiB ConfigMaps/s from 16 keep-alive HTTPS clients (median of runs),
 *       beside the raw fsync rate of a plain file and a bare HTTPS echo server on the same
 *       HTTP stack (Netty, same TLS settings) answering the same clients;</li>
 *   <li>{@code get}: p50/p99 of GET one ConfigMap from one keep-alive client, beside the echo server;</li>
 *   <li>{@code list}: unpaginated list of N pods, request sent to body parsed (p50 of 5);</li>
 *   <li>{@code watch}: delivery latency to W watchers while ConfigMaps are created at 500/s;</li>
 *   <li>{@code restart}: a child {@code berth server} with many pods killed with SIGKILL, restarted,
 *       timed until {@code GET /api/v1/pods} returns them all, beside reopening the SQLite store;</li>
 * </ol>
 * figures 1–4 for SQLite and for etcd ({@code --store}).
 *
 * <pre>
 * ApiBench [--dir DIR] [--seconds N] [--runs N] [--gets N] [--pods N] [--watchers N] [--watch-rate N]
 *          [--watch-seconds N] [--restart-objects N] [--store sqlite|etcd|both] [--smoke]
 * </pre>
 */
public final class ApiBench {
    private ApiBench() {}

    static final int CLIENTS = 16;
    private static final JsonFactory JSON = new JsonFactory();

    /** Every figure, in the order they run. */
    static final List<String> FIGURES = List.of("creates", "get", "list", "watch", "restart");

    /**
     * @param dir            where data dirs go (the disk under test); null for a temporary directory
     * @param duration       length of each create run
     * @param runs           create runs; the median is reported
     * @param gets           sequential GETs for the latency figure
     * @param pods           pods in the list figure
     * @param watchers       concurrent watches
     * @param watchRate      creates per second while watching
     * @param watchDuration  how long creates run while watching
     * @param restartObjects pods in the restart figure; 0 skips it
     * @param store          sqlite, etcd or both; null picks both when an etcd binary is found
     * @param figures        the figures to run (a subset of {@link #FIGURES})
     * @param restartData    a data dir kept for the restart figure: filled and saved there (after the kill)
     *                       when missing, reused (copied) when present; null fills a fresh one every run
     */
    public record Options(Path dir, Duration duration, int runs, int gets, int pods, int watchers, int watchRate,
                          Duration watchDuration, int restartObjects, String store, Set<String> figures,
                          Path restartData) {
        public static Options defaults() {
            return new Options(null, Duration.ofSeconds(60), 3, 10_000, 10_000, 1_000, 500, Duration.ofSeconds(10),
                    100_000, null, Set.copyOf(FIGURES), null);
        }

        public static Options smoke() {
            return new Options(null, Duration.ofSeconds(3), 1, 1_000, 1_000, 50, 500, Duration.ofSeconds(3), 5_000, null,
                    Set.copyOf(FIGURES), null);
        }

        boolean runs(String figure) {
            return figures.contains(figure) && (!figure.equals("restart") || restartObjects > 0);
        }

        public static Options parse(String[] args) {
            Options o = List.of(args).contains("--smoke") ? smoke() : defaults();
            Path dir = o.dir;
            Duration duration = o.duration;
            int runs = o.runs;
            int gets = o.gets;
            int pods = o.pods;
            int watchers = o.watchers;
            int watchRate = o.watchRate;
            Duration watchDuration = o.watchDuration;
            int restartObjects = o.restartObjects;
            String store = o.store;
            Set<String> figures = o.figures;
            Path restartData = o.restartData;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--smoke")) continue;
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + arg + " needs a value");
                String v = args[++i];
                switch (arg) {
                    case "--dir" -> dir = Path.of(v);
                    case "--seconds" -> duration = seconds(v);
                    case "--runs" -> runs = positive(arg, v);
                    case "--gets" -> gets = positive(arg, v);
                    case "--pods" -> pods = positive(arg, v);
                    case "--watchers" -> watchers = positive(arg, v);
                    case "--watch-rate" -> watchRate = positive(arg, v);
                    case "--watch-seconds" -> watchDuration = seconds(v);
                    case "--restart-objects" -> restartObjects = Integer.parseInt(v);
                    case "--restart-data" -> restartData = Path.of(v);
                    case "--store" -> {
                        if (!List.of("sqlite", "etcd", "both").contains(v)) {
                            throw new IllegalArgumentException("--store: invalid value \"" + v + "\": must be sqlite, etcd or both");
                        }
                        store = v;
                    }
                    case "--figures" -> {
                        Set<String> chosen = new java.util.LinkedHashSet<>();
                        for (String f : v.split(",")) {
                            String name = f.strip();
                            if (!FIGURES.contains(name)) {
                                throw new IllegalArgumentException("--figures: invalid value \"" + name + "\": must be one of "
                                        + String.join(", ", FIGURES));
                            }
                            chosen.add(name);
                        }
                        figures = Set.copyOf(chosen);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; known: --dir, --seconds, --runs, "
                            + "--gets, --pods, --watchers, --watch-rate, --watch-seconds, --restart-objects, --restart-data, "
                            + "--store, --figures, --smoke");
                }
            }
            return new Options(dir, duration, runs, gets, pods, watchers, watchRate, watchDuration, restartObjects, store,
                    figures, restartData);
        }

        private static Duration seconds(String v) {
            return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        }

        private static int positive(String option, String v) {
            int n = Integer.parseInt(v);
            if (n < 1) throw new IllegalArgumentException(option + ": invalid value \"" + v + "\": must be at least 1");
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        run(Options.parse(args), System.out);
    }

    public static void run(Options options, PrintStream out) throws Exception {
        Path dir = options.dir() != null ? Files.createDirectories(options.dir()) : Files.createTempDirectory("berth-api-bench-");
        Path work = Files.createTempDirectory(dir, "run-");
        try {
            boolean apiFigures = List.of("creates", "get", "list", "watch").stream().anyMatch(options::runs);
            double fsync = 0;
            if (options.runs("creates")) {
                fsync = Fsync.rate(work.resolve("fsync.bin"), 1024, Duration.ofMillis(Math.min(5000, options.duration().toMillis())));
                out.println(json("fsync_baseline", "", "writes_per_s", round(fsync), "value_bytes", 1024));
            }
            Optional<Path> etcdBinary = EtcdProcess.findBinary();
            List<String> stores = new ArrayList<>();
            String wanted = options.store() != null ? options.store() : etcdBinary.isPresent() ? "both" : "sqlite";
            if (apiFigures && !wanted.equals("etcd")) stores.add("sqlite");
            if (apiFigures && !wanted.equals("sqlite")) {
                if (etcdBinary.isPresent()) {
                    stores.add("etcd");
                } else {
                    out.println(json("skipped", "etcd", "reason",
                            "no etcd binary found (set ETCD_BIN, put etcd on the PATH, or install etcd-server)"));
                }
            }
            for (String store : stores) {
                Path storeDir = Files.createDirectories(work.resolve(store));
                EtcdProcess etcd = store.equals("etcd") ? EtcdProcess.start(etcdBinary.orElseThrow(), storeDir) : null;
                try {
                    apiFigures(options, store, etcd, storeDir, fsync, out);
                } finally {
                    if (etcd != null) etcd.close();
                }
            }
            if (options.runs("restart")) {
                restart(options, Files.createDirectories(work.resolve("restart")), out);
            }
        } finally {
            deleteTree(work);
            if (options.dir() == null) deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- figures 1-4

    private static void apiFigures(Options options, String store, EtcdProcess etcd, Path dir, double fsync, PrintStream out)
            throws Exception {
        ServerOptions d = ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0);
        ServerOptions serverOptions = etcd == null ? d : new ServerOptions(d.dataDir(), d.pkiDir(), d.listenHost(),
                d.listenPort(), "etcd", List.of(etcd.endpoint()), d.clusterCidr(), d.serviceCidr(), d.nodePortMin(),
                d.nodePortMax(), d.eventTtl());
        byte[] echoBody = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}".getBytes(StandardCharsets.UTF_8);
        try (BerthServer server = new BerthServer(serverOptions, Clock.systemUTC()).start();
             HttpServer echo = new HttpServer(new InetSocketAddress("127.0.0.1", 0),
                     Tls.serverContext(server.pki().servingCertificate().certifiedKey(), server.pki().ca(), ClientAuth.OPTIONAL),
                     request -> ApiResponse.Full.json(200, echoBody), ApiServer.MAX_BODY)) {
            Api api = Api.of(Kubeconfig.read(server.adminKubeconfig()), server.address().getPort());
            int echoPort = echo.start().getPort();
            URI echoUri = URI.create("https://127.0.0.1:" + echoPort + "/api/v1/namespaces/bench-create/configmaps");
            for (String ns : List.of("bench-create", "bench-get", "bench-list", "bench-watch")) api.createNamespace(ns);

            HttpClient clients = api.newClient();
            if (options.runs("creates")) creates(options, store, api, echoUri, fsync, out);
            HttpClient single = api.newClient();
            if (options.runs("get")) get(options, store, api, single, echoUri, out);
            if (options.runs("list")) list(options, store, api, clients, single, out);
            if (options.runs("watch")) watch(options, store, api, out);
        }
    }

    /** 1. creates/s beside the echo server, same 16 clients, median of runs. */
    private static void creates(Options options, String store, Api api, URI echoUri, double fsync, PrintStream out)
            throws Exception {
        Duration warmup = Duration.ofMillis(Math.min(2000, options.duration().toMillis() / 3));
        String value = "x".repeat(1024);
        throughput(i -> echoRequest(api, echoUri, configMap("warm-" + i, value)), warmup);
        AtomicLong run = new AtomicLong();
        throughput(i -> api.post("/api/v1/namespaces/bench-create/configmaps",
                configMap("warm-" + i, value)), warmup);
        List<Double> echoRates = new ArrayList<>();
        List<Double> createRates = new ArrayList<>();
        long errors = 0;
        for (int r = 0; r < options.runs(); r++) {
            long n = run.incrementAndGet();
            Rate e = throughput(i -> echoRequest(api, echoUri, configMap("r" + n + "-" + i, value)), options.duration());
            Rate c = throughput(i -> api.post("/api/v1/namespaces/bench-create/configmaps",
                    configMap("r" + n + "-" + i, value)), options.duration());
            echoRates.add(e.perSecond());
            createRates.add(c.perSecond());
            errors += e.errors() + c.errors();
        }
        double creates = median(createRates);
        double echoRate = median(echoRates);
        out.println(json("creates", store, "creates_per_s", round(creates), "echo_per_s", round(echoRate),
                "fsync_per_s", round(fsync), "ratio_to_echo", round(creates / echoRate),
                "ratio_to_fsync", round(creates / fsync), "clients", CLIENTS, "value_bytes", 1024,
                "seconds", options.duration().toMillis() / 1000.0, "runs", options.runs(),
                "creates_per_s_runs", createRates.toString().replace(" ", ""),
                "echo_per_s_runs", echoRates.toString().replace(" ", ""), "errors", errors, "goal_creates_per_s", 2000));
    }

    /** 2. GET latency of one ConfigMap beside the echo server, one keep-alive client. */
    private static void get(Options options, String store, Api api, HttpClient single, URI echoUri, PrintStream out)
            throws Exception {
        String value = "x".repeat(1024);
        api.post("/api/v1/namespaces/bench-get/configmaps", configMap("one", value));
        HttpRequest get = api.request("/api/v1/namespaces/bench-get/configmaps/one").GET().build();
        HttpRequest echoGet = api.authorized(HttpRequest.newBuilder(echoUri)).GET().build();
        long[] echoLatency = latencies(single, echoGet, options.gets());
        long[] getLatency = latencies(single, get, options.gets());
        out.println(json("get", store, "p50_ms", ms(percentile(getLatency, 50)), "p99_ms", ms(percentile(getLatency, 99)),
                "echo_p50_ms", ms(percentile(echoLatency, 50)), "echo_p99_ms", ms(percentile(echoLatency, 99)),
                "ratio_p50_to_echo", round((double) percentile(getLatency, 50) / percentile(echoLatency, 50)),
                "ratio_p99_to_echo", round((double) percentile(getLatency, 99) / percentile(echoLatency, 99)),
                "requests", options.gets()));
    }

    /** 3. unpaginated list of N pods, timed at the client until the body is parsed. */
    private static void list(Options options, String store, Api api, HttpClient clients, HttpClient single,
                         PrintStream out) throws Exception {
        fill(clients, api, List.of("bench-list"), options.pods(), 64);
        long[] listTimes = new long[5];
        long listBytes = 0;
        int items = 0;
        timedList(api, single, "/api/v1/namespaces/bench-list/pods"); // warm
        for (int i = 0; i < listTimes.length; i++) {
            ListResult l = timedList(api, single, "/api/v1/namespaces/bench-list/pods");
            listTimes[i] = l.nanos();
            listBytes = l.bytes();
            items = l.items();
        }
        Arrays.sort(listTimes);
        out.println(json("list", store, "pods", options.pods(), "items", items, "p50_ms", ms(percentile(listTimes, 50)),
                "min_ms", ms(listTimes[0]), "max_ms", ms(listTimes[listTimes.length - 1]),
                "body_mib", round(listBytes / 1048576.0), "goal_ms", 300));
    }

    private record Rate(double perSecond, long errors) {}

    @FunctionalInterface
    private interface Call {
        int send(long i) throws Exception;
    }

    /** {@link #CLIENTS} threads sending back to back on keep-alive connections for {@code duration}. */
    private static Rate throughput(Call call, Duration duration) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            threads.add(Thread.ofPlatform().name("bench-client-" + t).start(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        int status = call.send(next.getAndIncrement());
                        if (status / 100 == 2) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, "HTTP " + status);
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (firstError.get() != null) System.err.println("api bench: " + failed.get() + " failed requests, first: " + firstError.get());
        return new Rate(ok.get() / seconds, failed.get());
    }

    private static int echoRequest(Api api, URI uri, String body) throws Exception {
        HttpRequest request = api.authorized(HttpRequest.newBuilder(uri)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return api.client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    private static long[] latencies(HttpClient client, HttpRequest request, int count) throws Exception {
        for (int i = 0; i < Math.max(100, count / 10); i++) client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - start;
            if (r.statusCode() != 200) throw new IOException("GET " + request.uri() + " answered " + r.statusCode());
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private record ListResult(long nanos, int items, long bytes) {}

    /** GET a list and parse the whole body as JSON (streaming, counting the items). */
    private static ListResult timedList(Api api, HttpClient client, String path) throws Exception {
        HttpRequest request = api.request(path).GET().build();
        long start = System.nanoTime();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + body);
        }
        int items = 0;
        long bytes;
        try (InputStream in = r.body(); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("list body is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("items") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        p.skipChildren();
                        items++;
                    }
                } else {
                    p.skipChildren();
                }
            }
            bytes = p.currentLocation().getByteOffset();
        }
        return new ListResult(System.nanoTime() - start, items, bytes);
    }

    /** Creates {@code count} pods spread over {@code namespaces} with {@code concurrency} concurrent requests. */
    private static void fill(HttpClient client, Api api, List<String> namespaces, int count, int concurrency)
            throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (long i = next.getAndIncrement(); i < count && failure.get() == null; i = next.getAndIncrement()) {
                    String ns = namespaces.get((int) (i % namespaces.size()));
                    String body = pod("pod-" + i, i);
                    try {
                        for (int attempt = 0; ; attempt++) {
                            HttpResponse<String> r;
                            try {
                                r = client.send(api.request("/api/v1/namespaces/" + ns + "/pods")
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                            } catch (IOException e) {
                                // a timeout on a busy machine: the create may have happened, and 409 then says so
                                if (attempt >= 5) throw e;
                                continue;
                            }
                            if (r.statusCode() == 201 || r.statusCode() == 409) break;
                            if (attempt >= 5) throw new IOException("create pod " + ns + "/pod-" + i + " answered "
                                    + r.statusCode() + ": " + r.body());
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw failure.get();
    }

    private static void watch(Options options, String store, Api api, PrintStream out) throws Exception {
        String ns = "bench-watch";
        String rv = api.listResourceVersion("/api/v1/namespaces/" + ns + "/configmaps");
        int expectedCreates = (int) (options.watchRate() * options.watchDuration().toMillis() / 1000);
        String path = "/api/v1/namespaces/" + ns + "/configmaps?watch=1&resourceVersion=" + rv;
        List<WatchReader> readers = new ArrayList<>();
        List<Thread> readerThreads = new ArrayList<>();
        try {
            // connect every watcher (handshakes limited to a few at a time), one virtual thread each
            Semaphore connecting = new Semaphore(16);
            List<CompletableFuture<WatchReader>> opening = new ArrayList<>();
            try (ExecutorService connectors = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < options.watchers(); w++) {
                    opening.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            connecting.acquire();
                            try {
                                return WatchReader.open(api.ssl, api.port, path, api.token, "bw-", expectedCreates);
                            } finally {
                                connecting.release();
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException("cannot open watch " + path + ": " + e, e);
                        }
                    }, connectors));
                }
                for (CompletableFuture<WatchReader> f : opening) readers.add(f.join());
            }
            for (WatchReader reader : readers) readerThreads.add(Thread.ofVirtual().start(reader::readEvents));

            // creates at a fixed rate; each stamped when its response arrives
            long[] created = new long[expectedCreates];
            long[] sent = new long[expectedCreates];
            AtomicLong createErrors = new AtomicLong();
            HttpClient writer = api.newClient();
            String smallValue = "y".repeat(64);
            long interval = TimeUnit.SECONDS.toNanos(1) / options.watchRate();
            long start = System.nanoTime();
            // a fixed set of keep-alive senders, each taking the next create when it is due
            AtomicLong next = new AtomicLong();
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < CLIENTS; s++) {
                senders.add(Thread.ofPlatform().name("bench-watch-writer-" + s).start(() -> {
                    for (int i = (int) next.getAndIncrement(); i < expectedCreates; i = (int) next.getAndIncrement()) {
                        long wait = start + i * interval - System.nanoTime();
                        if (wait > 0) LockSupport.parkNanos(wait);
                        try {
                            sent[i] = System.nanoTime();
                            HttpResponse<byte[]> r = writer.send(api.request("/api/v1/namespaces/" + ns + "/configmaps")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(configMap("bw-" + i, smallValue))).build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() == 201) created[i] = System.nanoTime();
                            else createErrors.incrementAndGet();
                        } catch (Exception e) {
                            createErrors.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread sender : senders) sender.join();
            double createSeconds = (System.nanoTime() - start) / 1e9;
            long ok = Arrays.stream(created).filter(t -> t != 0).count();
            long expected = ok * readers.size();
            // let the last events arrive: up to 30 s, ending as soon as every watcher has them all
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < drainDeadline && readers.stream().mapToLong(r -> r.received).sum() < expected) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long delivered = readers.stream().mapToLong(r -> r.received).sum();
            long[] latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, delivered)];
            long[] fromSent = new long[latencies.length];
            int n = 0;
            long early = 0;
            for (WatchReader reader : readers) {
                for (int i = 0; i < expectedCreates && n < latencies.length; i++) {
                    long arrival = reader.arrivals[i];
                    if (arrival == 0 || created[i] == 0) continue;
                    long latency = arrival - created[i];
                    if (latency < 0) early++; // the event overtook the create's response
                    fromSent[n] = arrival - sent[i];
                    latencies[n++] = Math.max(0, latency);
                }
            }
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            long[] sortedFromSent = Arrays.copyOf(fromSent, n);
            Arrays.sort(sortedFromSent);
            String failure = readers.stream().map(r -> r.failure).filter(f -> f != null).findFirst().orElse("");
            out.println(json("watch", store, "watchers", readers.size(), "creates", ok, "create_errors", createErrors.get(),
                    "creates_per_s", round(ok / createSeconds), "expected", expected, "delivered", delivered,
                    "p50_ms", ms(percentile(sorted, 50)), "p99_ms", ms(percentile(sorted, 99)),
                    "max_ms", ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                    "before_create_response", early, "from_request_sent_p50_ms", ms(percentile(sortedFromSent, 50)),
                    "from_request_sent_p99_ms", ms(percentile(sortedFromSent, 99)), "goal_p99_ms", 100,
                    "reader_failure", failure.replace("\"", "'")));
        } finally {
            for (WatchReader reader : readers) reader.close();
            for (Thread t : readerThreads) t.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    // ---------------------------------------------------------------- figure 5

    private static void restart(Options options, Path dir, PrintStream out) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        long fillNanos = 0;
        Path saved = options.restartData();
        if (saved != null && Files.exists(saved.resolve("admin.kubeconfig"))) {
            copyTree(saved, data); // a store as an earlier kill left it, filled with the same pods
        } else {
            fillNanos = fillAndKill(options, dir, data, port);
            if (saved != null) copyTree(data, saved);
        }
        Path storeDir = data.resolve("store");
        long fileBytes = 0;
        try (Stream<Path> files = Files.list(storeDir)) {
            for (Path f : files.toList()) fileBytes += Files.size(f);
        }
        // baseline: reopen the store as the kill left it (a copy, so the server still finds it unrecovered)
        Path copy = Files.createDirectories(dir.resolve("store-copy"));
        try (Stream<Path> files = Files.list(storeDir)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        long reopenStart = System.nanoTime();
        long revision;
        try (SqliteStore reopened = SqliteStore.open(copy.resolve("berth.db"),
                SqliteStoreConfig.defaults().withCompactionInterval(Duration.ZERO))) {
            revision = reopened.currentRevision();
        }
        long reopenNanos = System.nanoTime() - reopenStart;
        deleteTree(copy);

        long start = System.nanoTime();
        Process second = startServer(data, port, dir.resolve("server-2.log"));
        try {
            waitReady(second, dir.resolve("server-2.log"));
            long ready = System.nanoTime() - start;
            Api api = Api.of(Kubeconfig.read(data.resolve("admin.kubeconfig")), port);
            HttpClient client = api.newClient();
            ListResult last;
            int lists = 0;
            do {
                last = timedList(api, client, "/api/v1/pods");
                lists++;
            } while (last.items() < options.restartObjects() && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(5));
            long total = System.nanoTime() - start;
            // CPU the server used until then: on a shared, busy machine a steadier figure than the wall time
            long cpuNanos = second.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
            out.println(json("restart", "sqlite", "objects", options.restartObjects(), "items", last.items(),
                    "restart_to_full_list_ms", ms(total), "ready_ms", ms(ready), "last_list_ms", ms(last.nanos()),
                    "server_cpu_ms", cpuNanos < 0 ? -1 : ms(cpuNanos),
                    "lists", lists, "store_reopen_ms", ms(reopenNanos),
                    "ratio_to_reopen", round((double) total / reopenNanos), "revision", revision,
                    "store_file_mib", round(fileBytes / 1048576.0), "list_body_mib", round(last.bytes() / 1048576.0),
                    "fill_s", round(fillNanos / 1e9), "reused_data", fillNanos == 0, "goal_ms", 5000));
        } finally {
            // a clean stop (the measurement is over), so a flight recording asked for in
            // BERTH_BENCH_SERVER_OPTS is written out
            second.destroy();
            if (!second.waitFor(60, TimeUnit.SECONDS)) second.destroyForcibly();
            second.waitFor();
        }
    }

    /** Starts a server on {@code data}, fills it with the restart pods and kills it with SIGKILL. */
    private static long fillAndKill(Options options, Path dir, Path data, int port) throws Exception {
        Process first = startServer(data, port, dir.resolve("server-1.log"));
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < 10; i++) namespaces.add("bench-restart-" + i);
        try {
            waitReady(first, dir.resolve("server-1.log"));
            Api api = Api.of(Kubeconfig.read(data.resolve("admin.kubeconfig")), port);
            for (String ns : namespaces) api.createNamespace(ns);
            long start = System.nanoTime();
            fill(api.newClient(), api, namespaces, options.restartObjects(), 64);
            return System.nanoTime() - start;
        } finally {
            first.destroyForcibly();
            first.waitFor();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Process startServer(Path data, int port, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-Xmx4g"));
        // extra JVM options for the server, e.g. a flight recording to profile the restart
        String extra = System.getenv("BERTH_BENCH_SERVER_OPTS");
        if (extra != null && !extra.isBlank()) command.addAll(List.of(extra.strip().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(), data.toString(),
                Integer.toString(port)));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Waits for the ready line in the child's log. */
    private static void waitReady(Process process, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.startsWith(ServerProcess.READY)) return;
                    }
                }
            }
            if (!process.isAlive()) throw new IOException("server exited with " + process.exitValue() + "; see " + log);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new IOException("server not ready after 600 s; see " + log);
    }

    // ---------------------------------------------------------------- helpers

    /** An HTTPS client of the API server with the admin token. */
    static final class Api {
        final SSLContext ssl;
        final int port;
        final String token;
        final String base;
        final HttpClient client;

        private Api(SSLContext ssl, int port, String token) {
            this.ssl = ssl;
            this.port = port;
            this.token = token;
            this.base = "https://127.0.0.1:" + port;
            this.client = newClient();
        }

        static Api of(Kubeconfig kubeconfig, int port) {
            if (!(kubeconfig.credentials() instanceof Kubeconfig.Token t)) {
                throw new IllegalArgumentException("the admin kubeconfig has no bearer token");
            }
            return new Api(Tls.clientSSLContext(kubeconfig), port, t.token());
        }

        HttpClient newClient() {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(Tls.PROTOCOLS.toArray(String[]::new));
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).sslParameters(parameters)
                    .connectTimeout(Duration.ofSeconds(60)).build();
        }

        HttpRequest.Builder authorized(HttpRequest.Builder b) {
            return b.header("Authorization", "Bearer " + token).header("Accept", "application/json");
        }

        HttpRequest.Builder request(String path) {
            return authorized(HttpRequest.newBuilder(URI.create(base + path))).timeout(Duration.ofMinutes(2));
        }

        int post(String path, String body) throws IOException, InterruptedException {
            return client.send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode();
        }

        void createNamespace(String name) throws IOException, InterruptedException {
            for (int attempt = 0; ; attempt++) {
                int status;
                try {
                    status = post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
                } catch (IOException e) {
                    if (attempt >= 5) throw e; // a timeout on a busy machine; 409 tells if it was created
                    continue;
                }
                if (status == 201 || status == 409) return;
                throw new IOException("create namespace " + name + " answered " + status);
            }
        }

        String listResourceVersion(String path) throws IOException, InterruptedException {
            HttpResponse<byte[]> r = client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IOException("GET " + path + " answered " + r.statusCode());
            try (JsonParser p = JSON.createParser(r.body())) {
                int depth = 0;
                boolean inMetadata = false;
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) depth++;
                    if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) depth--;
                    if (t == JsonToken.FIELD_NAME && depth == 1) inMetadata = p.currentName().equals("metadata");
                    if (t == JsonToken.FIELD_NAME && depth == 2 && inMetadata && p.currentName().equals("resourceVersion")) {
                        p.nextToken();
                        return p.getText();
                    }
                }
            }
            throw new IOException("GET " + path + " has no metadata.resourceVersion");
        }
    }

    static String configMap(String name, String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"value\":\"" + value + "\"}}";
    }

    /** A realistic pod of about 2 KiB: two containers with ports, env, resources and probes, a few labels. */
    static String pod(String name, long i) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"shop-%d","tier":"%s","release":"r%d",\
                "team":"payments"},"annotations":{"bench.berth.dev/index":"%d"}},"spec":{"restartPolicy":"Always",\
                "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","containers":[{"name":"app",\
                "image":"registry.example.com/shop/app:1.24.%d","imagePullPolicy":"IfNotPresent","args":["--port=8080",\
                "--metrics-port=9090","--log-level=info"],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},\
                {"name":"metrics","containerPort":9090,"protocol":"TCP"}],"env":[{"name":"SHOP_MODE","value":"production"},\
                {"name":"SHOP_DB_HOST","value":"db.shop.svc.cluster.local"},{"name":"SHOP_DB_PORT","value":"5432"},\
                {"name":"SHOP_CACHE_URL","value":"redis://cache.shop.svc.cluster.local:6379/0"},\
                {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],"resources":{"requests":\
                {"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},"readinessProbe":{"httpGet":\
                {"path":"/healthz/ready","port":8080},"periodSeconds":5,"failureThreshold":3},"livenessProbe":{"httpGet":\
                {"path":"/healthz/live","port":8080},"initialDelaySeconds":10,"periodSeconds":10},"volumeMounts":\
                [{"name":"config","mountPath":"/etc/shop","readOnly":true}]},{"name":"sidecar",\
                "image":"registry.example.com/shop/log-shipper:3.1.0","args":["--input=/var/log/shop","--output=stdout"],\
                "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},\
                "volumeMounts":[{"name":"logs","mountPath":"/var/log/shop"}]}],"volumes":[{"name":"config","configMap":\
                {"name":"shop-config"}},{"name":"logs","emptyDir":{}}],"tolerations":[{"key":"node.kubernetes.io/not-ready",\
                "operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}"""
                .formatted(name, i % 50, i % 3 == 0 ? "frontend" : "backend", i % 7, i, i % 10);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String json(String metric, String store, Object... fields) {
        StringBuilder line = new StringBuilder("{\"bench\":\"api\",\"metric\":\"").append(metric).append('"');
        if (!store.isEmpty()) line.append(",\"store\":\"").append(store).append('"');
        for (int i = 0; i < fields.length; i += 2) {
            line.append(",\"").append(fields[i]).append("\":");
            Object value = fields[i + 1];
            if (value instanceof Number || value instanceof Boolean) {
                line.append(String.format(Locale.ROOT, "%s", value));
            } else if (value instanceof String s && s.startsWith("[")) {
                line.append(s); // a list of numbers
            } else {
                line.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return line.append('}').toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(file);
        }
    }
}
