package dev.berth.agent.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * kubelet's SPDY/3.1 streams on top of Netty's SPDY frame codec. The client opens every stream
 * (SYN_STREAM with a {@code streamType} header); the agent replies and writes on them. No SPDY
 * flow control: kubectl's peer neither needs nor honours it.
 */
final class SpdyStreams {
    static final String PROTOCOL_V4 = "v4.channel.k8s.io";
    static final String PORT_FORWARD = "portforward.k8s.io";
    /** How long kubelet waits for the client to open every stream it asked for. */
    static final long STREAM_CREATION_TIMEOUT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(SpdyStreams.class);

    private SpdyStreams() {
    }

    static String header(SpdyHeadersFrame f, String name) {
        String v = f.headers().getAsString(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<CharSequence, CharSequence> e : f.headers()) {
            if (e.getKey().toString().equalsIgnoreCase(name)) {
                return e.getValue().toString();
            }
        }
        return null;
    }

    static void reply(ChannelHandlerContext ctx, int streamId, String type) {
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
        // an empty header block is not readable by every SPDY peer: name the stream type back
        reply.headers().set("streamtype", type == null ? "" : type);
        ctx.writeAndFlush(reply);
    }

    static DefaultSpdyDataFrame dataFrame(int streamId, byte[] bytes) {
        return new DefaultSpdyDataFrame(streamId, Unpooled.wrappedBuffer(bytes));
    }

    static DefaultSpdyDataFrame fin(int streamId) {
        DefaultSpdyDataFrame f = new DefaultSpdyDataFrame(streamId);
        f.setLast(true);
        return f;
    }

    /** Frames every SPDY peer may send, handled alike; the rest goes to the subclass. */
    abstract static class Base extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                switch (msg) {
                    case SpdySynStreamFrame syn -> opened(ctx, syn.streamId(), syn);
                    case SpdyDataFrame d -> {
                        byte[] bytes = new byte[d.content().readableBytes()];
                        d.content().readBytes(bytes);
                        data(d.streamId(), bytes, d.isLast());
                    }
                    case SpdyRstStreamFrame rst -> reset(rst.streamId());
                    case SpdyPingFrame ping -> ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
                    case SpdyGoAwayFrame ignored -> ctx.close();
                    default -> { }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        abstract void opened(ChannelHandlerContext ctx, int streamId, SpdySynStreamFrame syn);

        abstract void data(int streamId, byte[] bytes, boolean last);

        abstract void reset(int streamId);

        abstract void gone();

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gone();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("SPDY connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Exec or attach: streams error, stdin, stdout, stderr, resize (protocol v4.channel.k8s.io). */
    static final class Command extends Base implements RemoteCommand.Output {
        private final Channel ch;
        private final StreamOptions options;
        private final java.util.function.Function<RemoteCommand.Output, RemoteCommand> factory;
        private final Map<String, Integer> streams = new HashMap<>();
        private final Set<String> expected = new LinkedHashSet<>();
        private final Runnable abandon;
        private RemoteCommand command;

        Command(Channel ch, StreamOptions options, java.util.function.Function<RemoteCommand.Output, RemoteCommand> factory,
                Runnable abandon) {
            this.ch = ch;
            this.abandon = abandon;
            this.options = options;
            this.factory = factory;
            expected.add("error");
            if (options.stdin()) expected.add("stdin");
            if (options.stdout()) expected.add("stdout");
            if (options.stderr()) expected.add("stderr");
            if (options.tty()) expected.add("resize");
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.executor().schedule(() -> {
                if (command == null && ch.isActive()) {
                    LOG.debug("closing an exec whose client opened only {} of {}", streams.keySet(), expected);
                    ch.close();
                }
            }, STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        void opened(ChannelHandlerContext ctx, int streamId, SpdySynStreamFrame syn) {
            String type = header(syn, "streamtype");
            reply(ctx, streamId, type);
            if (type == null || !expected.contains(type) || streams.containsKey(type)) {
                LOG.debug("unexpected SPDY stream {} of type {}", streamId, type);
                return;
            }
            streams.put(type, streamId);
            if (command == null && streams.keySet().containsAll(expected)) {
                command = factory.apply(this);
                command.start(options);
            }
        }

        private String typeOf(int streamId) {
            for (Map.Entry<String, Integer> e : streams.entrySet()) {
                if (e.getValue() == streamId) return e.getKey();
            }
            return "";
        }

        @Override
        void data(int streamId, byte[] bytes, boolean last) {
            if (command == null) {
                return;
            }
            switch (typeOf(streamId)) {
                case "stdin" -> {
                    command.stdin(bytes);
                    if (last) command.stdinClosed();
                }
                case "resize" -> command.resize(bytes);
                default -> { }
            }
        }

        @Override
        void reset(int streamId) {
            if (command != null && typeOf(streamId).equals("stdin")) {
                command.stdinClosed();
            }
        }

        @Override
        void gone() {
            if (command != null) {
                command.clientGone();
            } else {
                abandon.run();
            }
        }

        @Override
        public void stdout(byte[] bytes) throws IOException {
            HttpReplies.write(ch, dataFrame(streams.get("stdout"), bytes));
        }

        @Override
        public void stderr(byte[] bytes) throws IOException {
            HttpReplies.write(ch, dataFrame(streams.get("stderr"), bytes));
        }

        @Override
        public void finish(byte[] status) {
            int error = streams.get("error");
            ch.write(dataFrame(error, status));
            for (int id : streams.values()) {
                if (id != error) {
                    ch.write(fin(id));
                }
            }
            ch.writeAndFlush(fin(error)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Port-forward (portforward.k8s.io): a data and an error stream per request id, naming the port. */
    static final class PortForward extends Base {
        private final Channel ch;
        private final String podIp;
        private final String podName;
        private final Map<String, Pair> requests = new HashMap<>();
        private final Map<Integer, Pair> byStream = new HashMap<>();

        private static final class Pair {
            int dataStream = -1;
            int errorStream = -1;
            String port;
            PortForwardConnection connection;
        }

        PortForward(Channel ch, String podIp, String podName) {
            this.ch = ch;
            this.podIp = podIp;
            this.podName = podName;
        }

        @Override
        void opened(ChannelHandlerContext ctx, int streamId, SpdySynStreamFrame syn) {
            String type = header(syn, "streamtype");
            String port = header(syn, "port");
            String requestId = header(syn, "requestid");
            reply(ctx, streamId, type);
            if (requestId == null) {
                // kubelet's older clients send no request id: one pair per port then
                requestId = "port-" + port;
            }
            Pair p = requests.computeIfAbsent(requestId, k -> new Pair());
            p.port = port;
            if ("data".equals(type)) {
                p.dataStream = streamId;
            } else if ("error".equals(type)) {
                p.errorStream = streamId;
            } else {
                LOG.debug("ignoring a port-forward stream of type {}", type);
                return;
            }
            byStream.put(streamId, p);
            if (p.dataStream >= 0 && p.errorStream >= 0 && p.connection == null) {
                start(p);
            }
        }

        private void start(Pair p) {
            int port;
            try {
                port = Integer.parseInt(p.port == null ? "" : p.port.trim());
                if (port < 1 || port > 65535) throw new NumberFormatException("out of range");
            } catch (NumberFormatException e) {
                ch.write(dataFrame(p.errorStream, ("unable to parse \"" + p.port + "\" as a port: must be 1-65535")
                        .getBytes(StandardCharsets.UTF_8)));
                ch.write(fin(p.errorStream));
                ch.writeAndFlush(fin(p.dataStream));
                return;
            }
            p.connection = new PortForwardConnection(podIp, port, podName, new PortForwardConnection.Client() {
                @Override
                public void data(byte[] bytes) throws IOException {
                    HttpReplies.write(ch, SpdyStreams.dataFrame(p.dataStream, bytes));
                }

                @Override
                public void error(String message) {
                    ch.writeAndFlush(SpdyStreams.dataFrame(p.errorStream, message.getBytes(StandardCharsets.UTF_8)));
                }

                @Override
                public void done() {
                    ch.write(fin(p.dataStream));
                    ch.writeAndFlush(fin(p.errorStream));
                }
            }, ch);
            p.connection.start();
        }

        @Override
        void data(int streamId, byte[] bytes, boolean last) {
            Pair p = byStream.get(streamId);
            if (p == null || p.connection == null || streamId != p.dataStream) {
                return;
            }
            p.connection.fromClient(bytes);
            if (last) {
                p.connection.clientDone();
            }
        }

        @Override
        void reset(int streamId) {
            Pair p = byStream.get(streamId);
            if (p != null && p.connection != null && streamId == p.dataStream) {
                p.connection.close();
            }
        }

        @Override
        void gone() {
            for (Pair p : requests.values()) {
                if (p.connection != null) {
                    p.connection.close();
                }
            }
        }
    }

    /**
     * SPDY carried in WebSocket binary messages (kubectl's {@code SPDY/3.1+portforward.k8s.io}
     * tunnel): messages in become bytes for the SPDY codec, bytes out become messages.
     */
    static final class WebSocketBytes extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame f) {
                ctx.fireChannelRead(f.content());
            } else if (msg instanceof PingWebSocketFrame p) {
                ctx.writeAndFlush(new PongWebSocketFrame(p.content()));
            } else if (msg instanceof CloseWebSocketFrame c) {
                c.release();
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                ctx.write(new BinaryWebSocketFrame(b), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
