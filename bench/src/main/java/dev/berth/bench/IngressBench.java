package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.agent.ingress.IngressCertificates;
import dev.berth.agent.ingress.IngressProxy;
import dev.berth.agent.ingress.IngressRouter;
import dev.berth.agent.ingress.IngressRoutes;
import dev.berth.agent.ingress.IngressSettings;
import dev.berth.agent.ingress.ServiceEndpoints;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth bench ingress}: requests/s and latency p50/p99 of small requests, and the throughput
 * of one large download, through the ingress proxy (with the real routing table and endpoint
 * lookup over an Ingress, a Service and an EndpointSlice) beside the same requests sent straight
 * to the endpoint, interleaved in rounds in one run. The endpoint is an in-process Netty HTTP
 * server; everything stays on 127.0.0.1. Figures are printed as ratios against the direct path.
 */
public final class IngressBench {
    private static final byte[] SMALL_BODY = "ok from the endpoint\n".repeat(3).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private IngressBench() {
    }

    public record Options(int seconds, int clients, int rounds, long transferMib) {
        public static Options parse(String[] args) {
            int seconds = 20, clients = 16, rounds = 4;
            long transfer = 1024;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seconds" -> seconds = positive(value(args, ++i, "--seconds"), "--seconds");
                    case "--clients" -> clients = positive(value(args, ++i, "--clients"), "--clients");
                    case "--rounds" -> rounds = positive(value(args, ++i, "--rounds"), "--rounds");
                    case "--transfer-mib" -> transfer = positive(value(args, ++i, "--transfer-mib"), "--transfer-mib");
                    case "--smoke" -> {
                        seconds = 2;
                        clients = 4;
                        rounds = 2;
                        transfer = 32;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --seconds N, --clients N, --rounds N, --transfer-mib N, --smoke)");
                }
            }
            return new Options(seconds, clients, rounds, transfer);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
            return args[i];
        }

        private static int positive(String s, String option) {
            try {
                int v = Integer.parseInt(s);
                if (v > 0) return v;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + s + " must be a positive whole number");
        }
    }

    public static void run(Options o, PrintStream out) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        IngressProxy proxy = null;
        try {
            InetSocketAddress endpoint = endpoint(group, o.transferMib() * 1024 * 1024);
            IngressRoutes routes = IngressRoutes.of(List.of(ingress()));
            Service service = new ServiceBuilder().withNewMetadata().withNamespace("bench").withName("web").endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build();
            EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("bench").withName("web-1")
                    .addToLabels(ServiceEndpoints.SERVICE_NAME_LABEL, "web").endMetadata().withAddressType("IPv4")
                    .addNewPort().withName("http").withPort(endpoint.getPort()).withProtocol("TCP").endPort()
                    .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                    .build();
            ServiceEndpoints endpoints = new ServiceEndpoints((ns, name) -> name.equals("web") ? service : null,
                    ns -> List.of(slice));
            IngressCertificates certificates = new IngressCertificates(Clock.systemUTC());
            proxy = new IngressProxy(IngressSettings.defaults().withAddress(InetAddress.ofLiteral("127.0.0.1")).withPorts(0, 0),
                    new IngressRouter(() -> routes, endpoints), certificates).start();
            URI direct = URI.create("http://127.0.0.1:" + endpoint.getPort());
            URI ingress = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort());

            requests(o, direct, ingress, out);
            transfer(o, direct, ingress, out);
        } finally {
            if (proxy != null) proxy.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static Ingress ingress() {
        return new IngressBuilder().withNewMetadata().withNamespace("bench").withName("web").endMetadata()
                .withNewSpec().withIngressClassName("berth").addNewRule().withNewHttp()
                .addNewPath().withPathType("Prefix").withPath("/").withNewBackend().withNewService().withName("web")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build();
    }

    /** Small GETs by {@code clients} keep-alive clients, alternating direct and ingress rounds. */
    private static void requests(Options o, URI direct, URI ingress, PrintStream out) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Duration round = Duration.ofMillis(o.seconds() * 1000L / o.rounds());
        // a short warm-up of both paths, not counted
        load(client, direct.resolve("/small"), o.clients(), Duration.ofMillis(500));
        load(client, ingress.resolve("/small"), o.clients(), Duration.ofMillis(500));
        Sample d = new Sample();
        Sample i = new Sample();
        for (int r = 0; r < o.rounds(); r++) {
            d.add(load(client, direct.resolve("/small"), o.clients(), round));
            i.add(load(client, ingress.resolve("/small"), o.clients(), round));
        }
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("bench", "ingress");
        line.put("metric", "requests");
        line.put("clients", o.clients());
        line.put("seconds_each", o.seconds());
        line.put("ingress_per_s", round1(i.perSecond()));
        line.put("direct_per_s", round1(d.perSecond()));
        line.put("ratio", round3(i.perSecond() / d.perSecond()));
        line.put("ingress_p50_ms", round3(i.percentileMs(50)));
        line.put("direct_p50_ms", round3(d.percentileMs(50)));
        line.put("ingress_p99_ms", round3(i.percentileMs(99)));
        line.put("direct_p99_ms", round3(d.percentileMs(99)));
        line.put("added_p50_ms", round3(i.percentileMs(50) - d.percentileMs(50)));
        line.put("added_p99_ms", round3(i.percentileMs(99) - d.percentileMs(99)));
        line.put("errors", i.errors + d.errors);
        out.println(Json.MAPPER.writeValueAsString(line));
    }

    /** One large download each way, alternating, best of two. */
    private static void transfer(Options o, URI direct, URI ingress, PrintStream out) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long bytes = o.transferMib() * 1024 * 1024;
        double directBest = 0, ingressBest = 0;
        for (int r = 0; r < 2; r++) {
            directBest = Math.max(directBest, download(client, direct.resolve("/large"), bytes));
            ingressBest = Math.max(ingressBest, download(client, ingress.resolve("/large"), bytes));
        }
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("bench", "ingress");
        line.put("metric", "transfer");
        line.put("mib", o.transferMib());
        line.put("ingress_mib_per_s", round1(ingressBest));
        line.put("direct_mib_per_s", round1(directBest));
        line.put("ratio", round3(ingressBest / directBest));
        out.println(Json.MAPPER.writeValueAsString(line));
    }

    private static double download(HttpClient client, URI uri, long expected) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[256 * 1024];
            for (int k; (k = in.read(buf)) > 0; ) n += k;
        }
        if (r.statusCode() != 200 || n != expected) {
            throw new IllegalStateException("download of " + uri + " answered " + r.statusCode() + " with " + n
                    + " bytes, expected " + expected);
        }
        return n / 1024.0 / 1024.0 / ((System.nanoTime() - start) / 1e9);
    }

    /** Latencies (ns) and counts of one round. */
    static final class Sample {
        private long[] latencies = new long[0];
        private long count;
        private long nanos;
        private long errors;

        void add(Sample s) {
            long[] merged = Arrays.copyOf(latencies, latencies.length + s.latencies.length);
            System.arraycopy(s.latencies, 0, merged, latencies.length, s.latencies.length);
            latencies = merged;
            count += s.count;
            nanos += s.nanos;
            errors += s.errors;
        }

        void addLatenciesForTest(long... nanos) {
            Sample s = new Sample();
            s.latencies = nanos.clone();
            s.count = nanos.length;
            add(s);
        }

        double perSecond() {
            return nanos == 0 ? 0 : count / (nanos / 1e9);
        }

        double percentileMs(double p) {
            if (latencies.length == 0) return 0;
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    private static Sample load(HttpClient client, URI uri, int clients, Duration duration) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).build();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        long[] errors = new long[1];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    long[] local = new long[1024];
                    int n = 0;
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long t = System.nanoTime() - t0;
                        if (r.statusCode() != 200) {
                            synchronized (errors) {
                                errors[0]++;
                            }
                            continue;
                        }
                        if (n == local.length) local = Arrays.copyOf(local, n * 2);
                        local[n++] = t;
                    }
                    return Arrays.copyOf(local, n);
                }));
            }
        }
        Sample s = new Sample();
        List<long[]> all = new ArrayList<>();
        int total = 0;
        for (Future<long[]> f : futures) {
            long[] l = f.get();
            all.add(l);
            total += l.length;
        }
        s.latencies = new long[total];
        int at = 0;
        for (long[] l : all) {
            System.arraycopy(l, 0, s.latencies, at, l.length);
            at += l.length;
        }
        s.count = total;
        s.nanos = System.nanoTime() - start;
        s.errors = errors[0];
        return s;
    }

    /** The endpoint: a small fixed body on /small, {@code largeBytes} streamed in 64 KiB chunks on /large. */
    private static InetSocketAddress endpoint(EventLoopGroup group, long largeBytes) throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new ChunkedWriteHandler(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        if (req.uri().startsWith("/large")) {
                                            large(ctx, HttpUtil.isKeepAlive(req));
                                            return;
                                        }
                                        var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                Unpooled.wrappedBuffer(SMALL_BODY));
                                        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, SMALL_BODY.length);
                                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                                        ctx.writeAndFlush(r);
                                    }

                                    private void large(ChannelHandlerContext ctx, boolean keepAlive) {
                                        var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, largeBytes);
                                        ctx.write(head);
                                        // Netty's chunked writer reads the next piece only when the socket takes more
                                        ctx.write(new ChunkedStream(new ZeroStream(largeBytes), 64 * 1024));
                                        var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                                        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0)).sync().channel();
        return (InetSocketAddress) ch.localAddress();
    }

    /** {@code length} zero bytes. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) return -1;
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) return -1;
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, left);
        }
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
