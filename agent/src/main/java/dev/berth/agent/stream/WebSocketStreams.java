package dev.berth.agent.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code v4.channel.k8s.io} and {@code v5.channel.k8s.io} WebSocket protocols: every binary
 * message starts with a channel byte. Exec and attach: 0 stdin, 1 stdout, 2 stderr, 3 error
 * (the exit Status), 4 resize; v5 adds 255, "close this channel" (the client's stdin EOF).
 * Port-forward (v4): for the i-th port of {@code ?ports=}, channel 2i carries data and 2i+1
 * errors, and the first message on each starts with the port (two bytes, little-endian).
 */
final class WebSocketStreams {
    static final String V4 = "v4.channel.k8s.io";
    static final String V5 = "v5.channel.k8s.io";
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    static final int CLOSE = 255;

    private WebSocketStreams() {
    }

    static BinaryWebSocketFrame frame(int channel, byte[] data) {
        ByteBuf b = Unpooled.buffer(data.length + 1);
        b.writeByte(channel);
        b.writeBytes(data);
        return new BinaryWebSocketFrame(b);
    }

    static void closeGracefully(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Answers pings and close frames; passes binary messages as (channel, bytes). */
    abstract static class Base extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof BinaryWebSocketFrame f) {
                    ByteBuf c = f.content();
                    if (c.isReadable()) {
                        int channel = c.readUnsignedByte();
                        byte[] data = new byte[c.readableBytes()];
                        c.readBytes(data);
                        message(channel, data);
                    }
                } else if (msg instanceof PingWebSocketFrame p) {
                    ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
                } else if (msg instanceof CloseWebSocketFrame) {
                    closeGracefully(ctx.channel());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        abstract void message(int channel, byte[] data);

        abstract void gone();

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gone();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Exec or attach over WebSocket. */
    static final class Command extends Base implements RemoteCommand.Output {
        private final Channel ch;
        private final boolean v5;
        private RemoteCommand command;

        Command(Channel ch, String protocol) {
            this.ch = ch;
            this.v5 = V5.equals(protocol);
        }

        void start(RemoteCommand command, StreamOptions options) {
            this.command = command;
            command.start(options);
        }

        @Override
        void message(int channel, byte[] data) {
            if (command == null) {
                return;
            }
            switch (channel) {
                case STDIN -> command.stdin(data);
                case RESIZE -> command.resize(data);
                case CLOSE -> {
                    if (v5 && data.length > 0 && data[0] == STDIN) {
                        command.stdinClosed();
                    }
                }
                default -> { }
            }
        }

        @Override
        void gone() {
            if (command != null) {
                command.clientGone();
            }
        }

        @Override
        public void stdout(byte[] bytes) throws IOException {
            HttpReplies.write(ch, frame(STDOUT, bytes));
        }

        @Override
        public void stderr(byte[] bytes) throws IOException {
            HttpReplies.write(ch, frame(STDERR, bytes));
        }

        @Override
        public void finish(byte[] status) {
            ch.writeAndFlush(frame(ERROR, status));
            closeGracefully(ch);
        }
    }

    /** Port-forward over WebSocket (v4.channel.k8s.io, as the Java clients use it). */
    static final class PortForward extends Base {
        private final Channel ch;
        private final List<PortForwardConnection> connections = new ArrayList<>();
        private final List<Integer> ports;

        PortForward(Channel ch, List<Integer> ports) {
            this.ch = ch;
            this.ports = ports;
        }

        void start(String podIp, String podName) {
            for (int i = 0; i < ports.size(); i++) {
                int port = ports.get(i);
                int data = 2 * i;
                int error = 2 * i + 1;
                byte[] prefix = {(byte) (port & 0xff), (byte) ((port >> 8) & 0xff)};
                ch.write(frame(data, prefix));
                ch.writeAndFlush(frame(error, prefix));
                connections.add(new PortForwardConnection(podIp, port, podName, new PortForwardConnection.Client() {
                    @Override
                    public void data(byte[] bytes) throws IOException {
                        HttpReplies.write(ch, frame(data, bytes));
                    }

                    @Override
                    public void error(String message) {
                        ch.writeAndFlush(frame(error, message.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void done() {
                        closeGracefully(ch);
                    }
                }, ch));
            }
            connections.forEach(PortForwardConnection::start);
        }

        @Override
        void message(int channel, byte[] data) {
            int index = channel / 2;
            if (channel % 2 == 0 && index < connections.size()) {
                connections.get(index).fromClient(data);
            }
        }

        @Override
        void gone() {
            connections.forEach(PortForwardConnection::close);
        }
    }
}
