package dev.berth.agent.stream;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InboundBufferTest {
    @Test
    void connectionPausesWhileTooMuchWaitsAndResumesWhenDrained() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        InboundBuffer stdin = new InboundBuffer(ch);
        InboundBuffer port = new InboundBuffer(ch);
        byte[] chunk = new byte[256 * 1024];
        for (int i = 0; i < 3; i++) {
            stdin.add(chunk);
        }
        assertThat(ch.config().isAutoRead()).isTrue();
        port.add(chunk);
        port.add(new byte[1]);
        assertThat(ch.config().isAutoRead()).as("over 1 MiB waits on this connection").isFalse();
        stdin.take();
        stdin.take();
        assertThat(ch.config().isAutoRead()).isFalse();
        stdin.take();
        port.take();
        assertThat(ch.config().isAutoRead()).as("below 256 KiB reading resumes").isTrue();
        assertThat(port.take()).hasSize(1);
    }
}
