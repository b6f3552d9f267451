package dev.berth.agent.stream;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.StreamSession;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * kubelet's streaming paths on the agent's server: {@code /containerLogs/{ns}/{pod}/{container}},
 * {@code /exec/...} and {@code /attach/...} (WebSocket v4/v5 or SPDY/3.1) and
 * {@code /portForward/{ns}/{pod}} (SPDY/3.1, SPDY tunnelled in WebSocket, or WebSocket v4).
 * Pods and containers are found through {@link RunningPods}; the bytes come from the
 * {@link ContainerRuntime}.
 */
public final class PodStreams {
    static final String SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io";
    private static final Logger LOG = LoggerFactory.getLogger(PodStreams.class);
    private static final List<String> COMMAND_WEBSOCKET = List.of(WebSocketStreams.V5, WebSocketStreams.V4);
    private static final List<String> PORT_FORWARD_WEBSOCKET = List.of(SPDY_TUNNEL, WebSocketStreams.V4);

    private final RunningPods pods;
    private final ContainerRuntime runtime;
    private final Clock clock;
    private final Map<String, java.util.concurrent.atomic.LongAdder> upgrades = new java.util.concurrent.ConcurrentHashMap<>();

    /** How many upgraded streams were served, by {@code kind/transport/protocol} (e.g. {@code exec/websocket/v5.channel.k8s.io}). */
    public Map<String, Long> upgradesServed() {
        Map<String, Long> out = new java.util.TreeMap<>();
        upgrades.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private void count(String kind, boolean websocket, String protocol) {
        upgrades.computeIfAbsent(kind + "/" + (websocket ? "websocket" : "spdy") + "/" + protocol,
                k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    public PodStreams(RunningPods pods, ContainerRuntime runtime, Clock clock) {
        this.pods = pods;
        this.runtime = runtime;
        this.clock = clock;
    }

    /** Serves the request if its path is one of the streaming paths; returns false otherwise. Runs on a worker thread. */
    public boolean serve(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs) throws IOException {
        String[] parts = qs.path().substring(1).split("/", -1);
        Channel ch = ctx.channel();
        switch (parts[0]) {
            case "containerLogs" -> {
                if (parts.length != 4) {
                    return false;
                }
                logs(ch, qs.parameters(), parts[1], parts[2], parts[3]);
            }
            case "exec", "attach" -> {
                if (parts.length != 4) {
                    return false;
                }
                command(ctx, req, qs, parts[0].equals("exec"), parts[1], parts[2], parts[3]);
            }
            case "portForward" -> {
                if (parts.length != 3 && parts.length != 4) {
                    return false;
                }
                portForward(ctx, req, qs, parts[1], parts[2]);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // --- logs -------------------------------------------------------------------------------

    private void logs(Channel ch, Map<String, List<String>> query, String ns, String podName, String container)
            throws IOException {
        LogOptions options;
        boolean previous;
        try {
            options = logOptions(query, clock.instant());
            previous = StreamOptions.flag(query, "previous");
        } catch (IllegalArgumentException e) {
            HttpReplies.status(ch, 400, "BadRequest", e.getMessage(), false);
            return;
        }
        Optional<RunningPods.RunningPod> pod = pods.find(ns, podName);
        if (pod.isEmpty()) {
            HttpReplies.status(ch, 404, "NotFound", "pod " + ns + "/" + podName + " is not running on this node", false);
            return;
        }
        String id = pod.get().containerIds().get(container);
        if (id == null) {
            HttpReplies.status(ch, 400, "BadRequest", "container \"" + container + "\" in pod \"" + podName
                    + "\" is waiting to start: ContainerCreating", false);
            return;
        }
        if (previous) {
            id = previousContainer(pod.get(), container, id).orElse(null);
            if (id == null) {
                HttpReplies.status(ch, 400, "BadRequest", "previous terminated container \"" + container
                        + "\" in pod \"" + podName + "\" not found", false);
                return;
            }
        }
        InputStream in;
        try {
            in = runtime.logs(id, options);
        } catch (ContainerNotFoundException e) {
            HttpReplies.status(ch, 404, "NotFound", "container \"" + container + "\" in pod \"" + podName
                    + "\" is gone: " + e.getMessage(), false);
            return;
        } catch (ContainerRuntimeException e) {
            HttpReplies.status(ch, 500, "InternalError", "cannot read the log of container \"" + container
                    + "\" in pod \"" + podName + "\": " + e.getMessage(), false);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(head);
        // a reader that goes away ends a followed log: closing the stream wakes the copy below
        ch.closeFuture().addListener(f -> closeQuietly(in));
        ch.config().setAutoRead(true);
        long left = options.limitBytes() > 0 ? options.limitBytes() : Long.MAX_VALUE;
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) >= 0; ) {
                if (n > 0) {
                    HttpReplies.write(ch, new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
                    left -= n;
                }
            }
        } catch (IOException e) {
            if (ch.isActive()) {
                LOG.debug("log of {}/{}/{} ended: {}", ns, podName, container, e.toString());
            }
        }
        if (ch.isActive()) {
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // closing
        }
    }

    /** kubelet's log query: follow, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes. */
    static LogOptions logOptions(Map<String, List<String>> query, Instant now) {
        boolean follow = StreamOptions.flag(query, "follow");
        boolean timestamps = StreamOptions.flag(query, "timestamps");
        long tail = number(query, "tailLines", 0, -1);
        long sinceSeconds = number(query, "sinceSeconds", 1, -1);
        long limit = number(query, "limitBytes", 1, -1);
        Instant since = null;
        String sinceTime = first(query, "sinceTime");
        if (sinceTime != null && !sinceTime.isEmpty()) {
            if (sinceSeconds > 0) {
                throw new IllegalArgumentException("at most one of sinceTime or sinceSeconds may be specified");
            }
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("sinceTime: invalid value \"" + sinceTime
                        + "\": must be an RFC 3339 time such as 2026-12-02T07:00:00Z");
            }
        } else if (sinceSeconds > 0) {
            since = now.minusSeconds(sinceSeconds);
        }
        return new LogOptions(follow, tail, since, timestamps, limit);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static long number(Map<String, List<String>> query, String name, long min, long absent) {
        String v = first(query, name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + ": invalid value \"" + v + "\": must be an integer greater than or equal to " + min);
    }

    /** The container this one replaced: same pod and name, the highest earlier attempt. */
    private Optional<String> previousContainer(RunningPods.RunningPod pod, String container, String currentId) {
        List<ContainerInfo> all = runtime.listContainers(Map.of(RuntimeLabels.POD_UID, pod.uid(),
                RuntimeLabels.CONTAINER_NAME, container));
        int current = all.stream().filter(c -> c.id().equals(currentId)).findFirst()
                .map(PodStreams::attempt).orElse(Integer.MAX_VALUE);
        return all.stream().filter(c -> !c.id().equals(currentId) && attempt(c) < current)
                .max(Comparator.comparingInt(PodStreams::attempt)).map(ContainerInfo::id);
    }

    private static int attempt(ContainerInfo c) {
        try {
            return Integer.parseInt(c.label(RuntimeLabels.ATTEMPT));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // --- exec and attach ----------------------------------------------------------------------

    private void command(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs, boolean exec,
                         String ns, String podName, String container) {
        Channel ch = ctx.channel();
        String kind = exec ? "exec" : "attach";
        StreamOptions options;
        try {
            options = StreamOptions.parse(qs.parameters(), exec);
        } catch (IllegalArgumentException e) {
            HttpReplies.status(ch, 400, "BadRequest", kind + ": " + e.getMessage(), false);
            return;
        }
        String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null) {
            HttpReplies.status(ch, 400, "BadRequest", "Upgrade request required", false);
            return;
        }
        boolean websocket = upgrade.equalsIgnoreCase("websocket");
        boolean spdy = upgrade.toUpperCase(Locale.ROOT).startsWith("SPDY/3.1");
        if (!websocket && !spdy) {
            HttpReplies.status(ch, 400, "BadRequest", "Upgrade: " + upgrade + " is not supported: use websocket or SPDY/3.1", false);
            return;
        }
        String protocol = websocket
                ? negotiate(webSocketProtocols(req), COMMAND_WEBSOCKET)
                : negotiate(streamProtocols(req), List.of(SpdyStreams.PROTOCOL_V4));
        if (protocol == null) {
            HttpReplies.status(ch, 400, "BadRequest", "unable to upgrade: unable to negotiate protocol: client supports "
                    + (websocket ? webSocketProtocols(req) : streamProtocols(req)) + ", server supports "
                    + (websocket ? COMMAND_WEBSOCKET : List.of(SpdyStreams.PROTOCOL_V4)), false);
            return;
        }
        Optional<RunningPods.RunningPod> pod = pods.find(ns, podName);
        if (pod.isEmpty()) {
            HttpReplies.status(ch, 404, "NotFound", "pod " + ns + "/" + podName + " is not running on this node", false);
            return;
        }
        String id = pod.get().containerIds().get(container);
        if (id == null) {
            HttpReplies.status(ch, 404, "NotFound", "container " + container + " is not valid for pod " + podName
                    + " on this node (not started)", false);
            return;
        }
        StreamSession session;
        try {
            session = exec
                    ? runtime.execStream(id, options.command(), options.stdin(), options.stdout(), options.stderr(), options.tty())
                    : runtime.attach(id, options.stdin(), options.stdout(), options.stderr(), options.tty());
        } catch (ContainerNotFoundException e) {
            HttpReplies.status(ch, 404, "NotFound", "container " + container + " of pod " + ns + "/" + podName
                    + " is gone: " + e.getMessage(), false);
            return;
        } catch (ContainerRuntimeException e) {
            HttpReplies.status(ch, 500, "InternalError", "cannot " + kind + " in container " + container + " of pod "
                    + ns + "/" + podName + ": " + e.getMessage(), false);
            return;
        }
        List<String> command = exec ? options.command() : List.of();
        count(kind, websocket, protocol);
        if (websocket) {
            WebSocketStreams.Command handler = new WebSocketStreams.Command(ch, protocol);
            webSocket(ctx, req, protocol, handler, () -> handler.start(new RemoteCommand(session, handler, command, ch), options),
                    session::close);
        } else {
            SpdyStreams.Command handler = new SpdyStreams.Command(ch, options,
                    out -> new RemoteCommand(session, out, command, ch), session::close);
            spdy(ch, protocol, handler);
        }
    }

    // --- port-forward -------------------------------------------------------------------------

    private void portForward(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs, String ns, String podName) {
        Channel ch = ctx.channel();
        String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null) {
            HttpReplies.status(ch, 400, "BadRequest", "Upgrade request required", false);
            return;
        }
        Optional<RunningPods.RunningPod> pod = pods.find(ns, podName);
        if (pod.isEmpty()) {
            HttpReplies.status(ch, 404, "NotFound", "pod " + ns + "/" + podName + " is not running on this node", false);
            return;
        }
        String podIp = pod.get().podIp();
        if (podIp == null || podIp.isEmpty()) {
            HttpReplies.status(ch, 400, "BadRequest", "pod " + ns + "/" + podName + " has no IP yet to forward to", false);
            return;
        }
        String name = ns + "/" + podName;
        if (upgrade.equalsIgnoreCase("websocket")) {
            String protocol = negotiate(webSocketProtocols(req), PORT_FORWARD_WEBSOCKET);
            if (protocol == null) {
                HttpReplies.status(ch, 400, "BadRequest", "unable to upgrade: unable to negotiate protocol: client supports "
                        + webSocketProtocols(req) + ", server supports " + PORT_FORWARD_WEBSOCKET, false);
                return;
            }
            count("portforward", true, protocol);
            if (protocol.equals(SPDY_TUNNEL)) {
                SpdyStreams.PortForward handler = new SpdyStreams.PortForward(ch, podIp, name);
                webSocketSpdy(ctx, req, handler);
                return;
            }
            List<Integer> ports = new ArrayList<>();
            for (String p : qs.parameters().getOrDefault("ports", List.of())) {
                for (String one : p.split(",")) {
                    try {
                        int port = Integer.parseInt(one.trim());
                        if (port < 1 || port > 65535) throw new NumberFormatException();
                        ports.add(port);
                    } catch (NumberFormatException e) {
                        HttpReplies.status(ch, 400, "BadRequest", "ports: invalid value \"" + one
                                + "\": must be a port number 1-65535", false);
                        return;
                    }
                }
            }
            if (ports.isEmpty()) {
                HttpReplies.status(ch, 400, "BadRequest", "ports: at least one port must be given (?ports=8080)", false);
                return;
            }
            WebSocketStreams.PortForward handler = new WebSocketStreams.PortForward(ch, ports);
            webSocket(ctx, req, protocol, handler, () -> handler.start(podIp, name), () -> { });
            return;
        }
        if (!upgrade.toUpperCase(Locale.ROOT).startsWith("SPDY/3.1")) {
            HttpReplies.status(ch, 400, "BadRequest", "Upgrade: " + upgrade + " is not supported: use websocket or SPDY/3.1", false);
            return;
        }
        String protocol = negotiate(streamProtocols(req), List.of(SpdyStreams.PORT_FORWARD));
        if (protocol == null) {
            HttpReplies.status(ch, 400, "BadRequest", "unable to upgrade: unable to negotiate protocol: client supports "
                    + streamProtocols(req) + ", server supports [" + SpdyStreams.PORT_FORWARD + "]", false);
            return;
        }
        count("portforward", false, protocol);
        spdy(ch, protocol, new SpdyStreams.PortForward(ch, podIp, name));
    }

    // --- upgrades -------------------------------------------------------------------------------

    private static List<String> webSocketProtocols(FullHttpRequest req) {
        return split(req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
    }

    private static List<String> streamProtocols(FullHttpRequest req) {
        return split(req.headers().getAll("X-Stream-Protocol-Version"));
    }

    private static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String p : v.split(",")) {
                if (!p.isBlank()) out.add(p.trim());
            }
        }
        return out;
    }

    /** The first protocol the client offers that the server supports, as kubelet negotiates. */
    static String negotiate(List<String> offered, List<String> supported) {
        for (String p : offered) {
            if (supported.contains(p)) return p;
        }
        return null;
    }

    private static void webSocket(ChannelHandlerContext ctx, FullHttpRequest req, String protocol,
                                  io.netty.channel.ChannelHandler handler, Runnable onOpen, Runnable onFail) {
        Channel ch = ctx.channel();
        String url = "wss://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, protocol, false, 16 * 1024 * 1024)
                .newHandshaker(req);
        if (hs == null) {
            onFail.run();
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ch.pipeline().replace("agent", "stream", handler);
        hs.handshake(ch, req).addListener(f -> {
            if (!f.isSuccess()) {
                onFail.run();
                ch.close();
                return;
            }
            onOpen.run();
            ch.config().setAutoRead(true);
        });
    }

    private static void webSocketSpdy(ChannelHandlerContext ctx, FullHttpRequest req, SpdyStreams.PortForward handler) {
        Channel ch = ctx.channel();
        String url = "wss://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, SPDY_TUNNEL, false, 16 * 1024 * 1024)
                .newHandshaker(req);
        if (hs == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChannelPipeline p = ch.pipeline();
        p.replace("agent", "stream", handler);
        p.addBefore("stream", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        p.addBefore("spdy", "ws-bytes", new SpdyStreams.WebSocketBytes());
        hs.handshake(ch, req).addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
                return;
            }
            ch.config().setAutoRead(true);
        });
    }

    private static void spdy(Channel ch, String protocol, io.netty.channel.ChannelHandler handler) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        r.headers().set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
        r.headers().set("X-Stream-Protocol-Version", protocol);
        ch.writeAndFlush(r).addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
                return;
            }
            ChannelPipeline p = ch.pipeline();
            p.remove("aggregator");
            p.replace("codec", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
            p.replace("agent", "stream", handler);
            ch.config().setAutoRead(true);
        });
    }
}
