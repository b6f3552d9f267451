package dev.berth.agent.runtime.docker;

import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.StreamSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An exec or attach on a connection of its own, upgraded by the engine to a raw stream
 * ({@code Upgrade: tcp}), over Netty's HTTP codec. docker-java's hijacking cannot close the
 * write side when stdin ends, so a process reading stdin (cat, tar for {@code kubectl cp}) would
 * never see end of input; here {@link #stdin()}'s close half-closes the connection, as the
 * docker CLI does. Without a TTY the engine multiplexes stdout and stderr in frames of an
 * 8-byte header (stream, 3 zero bytes, big-endian length) and the payload.
 */
final class HijackedSession implements StreamSession {
    /** Stop reading from the engine while this much output waits for the reader. */
    private static final int HIGH_WATER = 256 * 1024;

    private final BytePipe stdout = new BytePipe(DockerStreamSession.BUFFER);
    private final BytePipe stderr = new BytePipe(DockerStreamSession.BUFFER);
    private final CompletableFuture<Void> upgraded = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final DockerStreamSession.Resizer resizer;
    private final DockerStreamSession.ExitCode exitCode;
    private final boolean tty;
    private Channel channel;
    private ChannelHandlerContext rawContext;
    private final OutputStream stdin = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!channel.isActive()) {
                throw new IOException("the stream has ended");
            }
            ChannelFuture f = rawContext.writeAndFlush(Unpooled.copiedBuffer(b, off, len)).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException("could not write to the stream", f.cause());
            }
        }

        @Override
        public void close() {
            if (channel.isActive()) {
                ((DuplexChannel) channel).shutdownOutput();
            }
        }
    };

    private HijackedSession(boolean tty, DockerStreamSession.Resizer resizer, DockerStreamSession.ExitCode exitCode) {
        this.tty = tty;
        this.resizer = resizer;
        this.exitCode = exitCode;
    }

    /** Whether this transport can reach the engine: a local socket, or plain TCP (TLS goes through docker-java). */
    static boolean supports(URI host, boolean tls) {
        return "unix".equals(host.getScheme()) || ("tcp".equals(host.getScheme()) && !tls);
    }

    /**
     * Opens {@code POST path} with {@code body} (JSON, may be empty) and waits for the engine to
     * switch protocols.
     */
    static HijackedSession open(EventLoopGroup group, URI host, String path, String body, boolean tty,
                                DockerStreamSession.Resizer resizer, DockerStreamSession.ExitCode exitCode) {
        HijackedSession session = new HijackedSession(tty, resizer, exitCode);
        SocketAddress address;
        Bootstrap b = new Bootstrap().group(group).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if ("unix".equals(host.getScheme())) {
            address = UnixDomainSocketAddress.of(host.getPath());
            b.channel(NioDomainSocketChannel.class);
        } else {
            address = InetSocketAddress.createUnresolved(host.getHost(), host.getPort() < 0 ? 2375 : host.getPort());
            b.channel(NioSocketChannel.class);
        }
        b.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAllocator(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                ch.pipeline().addLast("http", new HttpClientCodec());
                if (!tty) {
                    ch.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(Integer.MAX_VALUE, 4, 4));
                }
                ch.pipeline().addLast("session", session.new Handler());
            }
        });
        try {
            Channel ch = b.connect(address).syncUninterruptibly().channel();
            session.channel = ch;
            // raw bytes are written from the codec's context, so they bypass its request encoder
            session.rawContext = ch.pipeline().context("http");
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                    Unpooled.wrappedBuffer(content));
            request.headers()
                    .set(HttpHeaderNames.HOST, "docker")
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, content.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.UPGRADE, "tcp");
            ch.writeAndFlush(request);
            session.upgraded.get(30, TimeUnit.SECONDS);
            return session;
        } catch (ExecutionException e) {
            session.close();
            Throwable cause = e.getCause();
            if (cause instanceof ContainerRuntimeException cre) {
                throw cre;
            }
            throw new ContainerRuntimeException("StreamError", "the engine did not open the stream: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            session.close();
            throw new ContainerRuntimeException("StreamError", "the engine did not open the stream within 30s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.close();
            throw new ContainerRuntimeException("StreamError", "interrupted while opening the stream");
        } catch (RuntimeException e) {
            session.close();
            throw new ContainerRuntimeException("StreamError", "could not connect to the engine at " + host + ": " + e.getMessage(), e);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        private int status;
        private final StringBuilder error = new StringBuilder();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
            }
            if (msg instanceof HttpContent c) {
                if (status != 101) {
                    error.append(c.content().toString(StandardCharsets.UTF_8));
                }
                if (msg instanceof LastHttpContent) {
                    if (status == 101) {
                        upgraded.complete(null);
                    } else {
                        upgraded.completeExceptionally(new ContainerRuntimeException("StreamError",
                                DockerRuntime.engineMessage(new com.github.dockerjava.api.exception.DockerException(
                                        "Status " + status + ": " + error, status))));
                        ctx.close();
                    }
                }
            } else if (msg instanceof ByteBuf data) {
                if (tty) {
                    deliver(ctx, stdout, data, data.readableBytes());
                } else {
                    // a whole frame: header, then payload
                    int stream = data.readUnsignedByte();
                    data.skipBytes(7);
                    deliver(ctx, stream == 2 ? stderr : stdout, data, data.readableBytes());
                }
            }
        }

        private void deliver(ChannelHandlerContext ctx, BytePipe pipe, ByteBuf data, int length) {
            byte[] bytes = new byte[length];
            data.readBytes(bytes);
            if (pipe.offer(bytes, 0, length) > HIGH_WATER) {
                ctx.channel().config().setAutoRead(false);
                pipe.resumeBelow(HIGH_WATER / 2, () -> ctx.channel().config().setAutoRead(true));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            upgraded.completeExceptionally(new ContainerRuntimeException("StreamError",
                    "the engine closed the connection" + (error.isEmpty() ? "" : ": " + error)));
            finished();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            upgraded.completeExceptionally(cause);
            ctx.close();
        }
    }

    private void finished() {
        stdout.closeWriter();
        stderr.closeWriter();
        if (exit.isDone()) {
            return;
        }
        Thread.ofVirtual().name("exit-code").start(() -> {
            try {
                exit.complete(exitCode.await());
            } catch (InterruptedException e) {
                exit.complete(-1);
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout.source();
    }

    @Override
    public InputStream stderr() {
        return stderr.source();
    }

    @Override
    public void resize(int columns, int rows) {
        if (columns <= 0 || rows <= 0) {
            throw new IllegalArgumentException("terminal size " + columns + "x" + rows
                    + " is not valid: columns and rows must be positive");
        }
        try {
            resizer.resize(columns, rows);
        } catch (RuntimeException e) {
            throw DockerRuntime.failure("ResizeError", "resize the terminal to " + columns + "x" + rows, e);
        }
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(Duration.ofSeconds(5).toMillis());
        }
        stdout.closeWriter();
        stderr.closeWriter();
    }
}
