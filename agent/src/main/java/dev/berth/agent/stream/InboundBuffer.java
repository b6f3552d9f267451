package dev.berth.agent.stream;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes from the client waiting for a slow consumer (a command's stdin, a pod's port). When the
 * connection has more than {@link #HIGH} bytes waiting in all its buffers together, the agent
 * stops reading from it until they drain below {@link #LOW}: a fast client cannot fill the
 * agent's memory.
 */
final class InboundBuffer {
    static final long HIGH = 1 << 20;
    static final long LOW = 256 << 10;
    private static final AttributeKey<AtomicLong> WAITING = AttributeKey.valueOf("berth.inbound.waiting");

    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final Channel channel;
    private final AtomicLong waiting;

    /** @param channel the client's connection, or null when nothing is to be paused (tests) */
    InboundBuffer(Channel channel) {
        this.channel = channel;
        AtomicLong fresh = new AtomicLong();
        AtomicLong shared = channel == null ? null : channel.attr(WAITING).setIfAbsent(fresh);
        this.waiting = shared == null ? fresh : shared;
    }

    void add(byte[] bytes) {
        queue.add(bytes);
        if (waiting.addAndGet(bytes.length) > HIGH && channel != null) {
            channel.config().setAutoRead(false);
        }
    }

    byte[] take() throws InterruptedException {
        byte[] b = queue.take();
        if (waiting.addAndGet(-b.length) < LOW && channel != null && !channel.config().isAutoRead() && channel.isActive()) {
            channel.config().setAutoRead(true);
        }
        return b;
    }
}
