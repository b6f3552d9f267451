package dev.berth.agent.proxy;

import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.HostPort;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The userspace mode: the agent itself listens on every Service's cluster IP and port (held on an
 * interface of its own, {@link ServiceAddresses}), on the NodePorts (every address of the node)
 * and on the hostPorts of its pods, and relays each connection (TCP) or each client's datagrams
 * (UDP) to an endpoint picked by a {@link Balancer}: round-robin over the ready endpoints, or
 * sticky per client IP with ClientIP affinity. A Service port without endpoints refuses TCP
 * connections (a reset) and drops datagrams. When endpoints change, only new connections follow;
 * connections already relayed go on. Streams are relayed with back-pressure: a side is read only
 * while the other side can take more. SCTP cannot be relayed in this mode: such ports are
 * reported once through {@link Warnings} and skipped.
 */
public final class UserspaceDataplane implements ProxyDataplane {
    /** The mode name on the Node. */
    public static final String MODE = "userspace";
    /** A UDP client's relay socket is closed after this long without datagrams either way. */
    public static final Duration UDP_IDLE = Duration.ofSeconds(30);
    /** How long a connection to one endpoint may take before the next one is tried. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final String WILDCARD = "0.0.0.0";
    /** How much a relayed side may have queued before its peer is no longer read (bulk streams). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Reads grow up to 1 MiB at a time when a stream keeps the socket full. */
    private static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(2048, 16 * 1024, 1024 * 1024);
    private static final Logger log = LoggerFactory.getLogger(UserspaceDataplane.class);

    /** Where ports this mode cannot serve are reported (an Event on the Service, by the agent). */
    public interface Warnings {
        void unsupported(ServicePort port, String message);
    }

    /** One socket the proxy listens on. */
    record Bind(String ip, int port, Protocol protocol) {
        @Override
        public String toString() {
            return protocol + " " + ip + ":" + port;
        }
    }

    private final ServiceAddresses addresses;
    private final Clock clock;
    private final Warnings warnings;
    private final EventLoopGroup group;
    private final Map<String, Balancer> balancers = new HashMap<>();
    private final Map<Bind, Listener> listeners = new HashMap<>();
    private final Set<String> warned = new HashSet<>();

    public UserspaceDataplane(ServiceAddresses addresses, Clock clock, Warnings warnings) {
        this.addresses = Objects.requireNonNull(addresses, "addresses");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        this.group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().name("userspace-proxy-", 0).daemon(true).factory(), NioIoHandler.newFactory());
    }

    @Override
    public String mode() {
        return MODE;
    }

    /** The sockets listened on now. */
    Set<Bind> binds() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public void program(ProxyTable table, boolean resync) {
        Map<Bind, Balancer> wanted = new LinkedHashMap<>();
        Map<String, Balancer> used = new HashMap<>();
        Set<String> unsupported = new HashSet<>();
        for (ServicePort sp : table.services()) {
            String key = sp.key() + "/" + sp.protocol();
            if (sp.protocol() == Protocol.SCTP) {
                unsupported.add(key);
                if (warned.add(key)) {
                    String message = "Service port " + sp.key() + " (SCTP " + sp.port() + ") is not served on this node:"
                            + " proxy mode userspace relays TCP and UDP only";
                    log.warn(message);
                    try {
                        warnings.unsupported(sp, message);
                    } catch (RuntimeException e) {
                        log.debug("cannot report {}: {}", key, e.toString());
                    }
                }
                continue;
            }
            Balancer b = used.computeIfAbsent(key, k -> balancers.computeIfAbsent(k, x -> new Balancer(clock)));
            b.update(sp.endpoints(), sp.affinitySeconds());
            wanted.put(new Bind(sp.clusterIp(), sp.port(), sp.protocol()), b);
            if (sp.nodePort() > 0) wanted.putIfAbsent(new Bind(WILDCARD, sp.nodePort(), sp.protocol()), b);
        }
        for (HostPort hp : table.hostPorts()) {
            if (hp.protocol() == Protocol.SCTP) continue;
            String key = "hostPort " + hp.pod() + " " + hp.hostIp() + ":" + hp.hostPort() + "/" + hp.protocol();
            Balancer b = used.computeIfAbsent(key, k -> balancers.computeIfAbsent(k, x -> new Balancer(clock)));
            b.update(List.of(new Endpoint(hp.podIp(), hp.containerPort())), 0);
            wanted.putIfAbsent(new Bind(hp.hostIp().isEmpty() ? WILDCARD : hp.hostIp(), hp.hostPort(), hp.protocol()), b);
        }
        balancers.keySet().retainAll(used.keySet());
        warned.retainAll(unsupported);

        Set<String> held = new TreeSet<>();
        for (ServicePort sp : table.services()) {
            if (sp.protocol() != Protocol.SCTP) held.add(sp.clusterIp());
        }
        // listeners that are no longer wanted go first, so that a port moving between Services can be bound again
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey()) || !e.getValue().channel.isActive()) {
                e.getValue().close();
                it.remove();
            }
        }
        addresses.hold(held);
        List<String> failed = new ArrayList<>();
        for (Map.Entry<Bind, Balancer> e : wanted.entrySet()) {
            Listener l = listeners.get(e.getKey());
            if (l != null) {
                l.balancer = e.getValue();
                continue;
            }
            try {
                listeners.put(e.getKey(), listen(e.getKey(), e.getValue()));
            } catch (RuntimeException ex) {
                failed.add(e.getKey() + ": " + ex.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("cannot listen on " + failed.size() + " of " + wanted.size() + " ports: "
                    + String.join("; ", failed.subList(0, Math.min(5, failed.size()))));
        }
    }

    private Listener listen(Bind bind, Balancer balancer) {
        Listener l = new Listener(bind, balancer);
        InetSocketAddress at = new InetSocketAddress(bind.ip(), bind.port());
        if (bind.protocol() == Protocol.TCP) {
            l.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new TcpFrontend(l));
                        }
                    })
                    .bind(at).syncUninterruptibly().channel();
        } else {
            UdpFrontend frontend = new UdpFrontend(l);
            l.udp = frontend;
            l.channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(frontend)
                    .bind(at).syncUninterruptibly().channel();
        }
        return l;
    }

    @Override
    public void close() {
        for (Listener l : listeners.values()) l.close();
        listeners.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            addresses.close();
        } catch (RuntimeException e) {
            log.warn("cannot remove the Service addresses: {}", e.toString());
        }
    }

    /** One socket listened on, and the Service port its connections go to. */
    private static final class Listener {
        final Bind bind;
        volatile Balancer balancer;
        Channel channel;
        UdpFrontend udp;

        Listener(Bind bind, Balancer balancer) {
            this.bind = bind;
            this.balancer = balancer;
        }

        void close() {
            if (channel != null) channel.close().syncUninterruptibly();
            if (udp != null) udp.closeSessions();
        }
    }

    private static String clientIp(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
    }

    /** Refuses a connection as the kernel does for a closed port: with a reset. */
    private static void refuse(Channel ch) {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    /** The accepted side: picks an endpoint, connects to it (trying the next on failure), then relays. */
    private static final class TcpFrontend extends ChannelInboundHandlerAdapter {
        private final Listener listener;

        TcpFrontend(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            String client = clientIp(inbound);
            Balancer balancer = listener.balancer;
            List<Endpoint> order = balancer.order(client);
            if (order.isEmpty()) {
                refuse(inbound);
                return;
            }
            connect(inbound, balancer, client, order, 0);
        }

        private void connect(Channel inbound, Balancer balancer, String client, List<Endpoint> order, int i) {
            Endpoint ep = order.get(i);
            new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, READS)
                    .handler(new Relay(inbound))
                    .connect(ep.ip(), ep.port())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            if (!inbound.isActive()) {
                                f.channel().close();
                                return;
                            }
                            if (i > 0) balancer.used(client, ep);
                            inbound.pipeline().addLast(new Relay(f.channel()));
                            inbound.read();
                            f.channel().read();
                        } else if (i + 1 < order.size() && inbound.isActive()) {
                            log.debug("{}: endpoint {} did not answer ({}); trying the next", listener.bind, ep,
                                    f.cause().toString());
                            connect(inbound, balancer, client, order, i + 1);
                        } else {
                            refuse(inbound);
                        }
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Writes what one side reads to the other ({@code peer}) and reads again only while the peer
     * is writable; when the peer drains, it reads again. Half-closes are passed on; a close
     * closes the peer once its writes are flushed.
     */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!peer.isActive()) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    f.channel().close();
                }
            });
            if (peer.isWritable()) ctx.read();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // this side drained: the peer may be read again
            if (ctx.channel().isWritable() && peer.isActive()) peer.read();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                SocketChannel self = (SocketChannel) ctx.channel();
                if (peer instanceof SocketChannel p && p.isActive()) {
                    p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                        p.shutdownOutput();
                        if (p.isInputShutdown()) p.close();
                    });
                }
                if (self.isOutputShutdown()) self.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            peer.close();
        }
    }

    /**
     * A UDP listener: each client address gets a connected socket to the endpoint picked for its
     * first datagram; replies come back to the client from the listened address. Sessions end
     * after {@link #UDP_IDLE} without datagrams. Everything runs on the listener's event loop.
     */
    private static final class UdpFrontend extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Listener listener;
        private final Map<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();

        UdpFrontend(Listener listener) {
            super(false);
            this.listener = listener;
        }

        private static final class Session {
            Channel channel;
            boolean connected;
            final Queue<ByteBuf> pending = new ArrayDeque<>();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            ByteBuf data = packet.content();
            Session s = sessions.get(sender);
            if (s != null && s.channel.isOpen()) {
                if (s.connected) {
                    s.channel.writeAndFlush(data);
                } else if (s.pending.size() < 64) {
                    s.pending.add(data);
                } else {
                    data.release();
                }
                return;
            }
            List<Endpoint> order = listener.balancer.order(sender.getAddress().getHostAddress());
            if (order.isEmpty()) {
                data.release();
                return;
            }
            Endpoint ep = order.getFirst();
            Channel frontend = ctx.channel();
            Session session = new Session();
            session.pending.add(data);
            sessions.put(sender, session);
            var future = new Bootstrap().group(frontend.eventLoop()).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<NioDatagramChannel>() {
                        @Override
                        protected void initChannel(NioDatagramChannel ch) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, UDP_IDLE.toMillis(), TimeUnit.MILLISECONDS));
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>(false) {
                                @Override
                                protected void channelRead0(ChannelHandlerContext c, DatagramPacket reply) {
                                    if (frontend.isActive()) {
                                        frontend.writeAndFlush(new DatagramPacket(reply.content(), sender));
                                    } else {
                                        reply.release();
                                    }
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                                    if (evt instanceof IdleStateEvent) c.close();
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext c) {
                                    sessions.remove(sender, session);
                                    ByteBuf b;
                                    while ((b = session.pending.poll()) != null) b.release();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                    // an ICMP port unreachable from the endpoint: drop the session, the client retries
                                    c.close();
                                }
                            });
                        }
                    })
                    .connect(new InetSocketAddress(ep.ip(), ep.port()));
            session.channel = future.channel();
            future.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    f.channel().close();
                    return;
                }
                session.connected = true;
                ByteBuf b;
                while ((b = session.pending.poll()) != null) f.channel().write(b);
                f.channel().flush();
            });
        }

        void closeSessions() {
            for (Session s : sessions.values()) {
                if (s.channel != null) s.channel.close();
            }
            sessions.clear();
        }
    }
}
