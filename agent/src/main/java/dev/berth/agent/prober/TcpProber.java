package dev.berth.agent.prober;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** kubelet's TCP probe: the port accepts a connection within the timeout; the connection is closed at once. */
final class TcpProber {
    ProbeResult probe(String host, int port, Duration timeout) {
        String hostPort = GoText.joinHostPort(host, port);
        try (Socket socket = new Socket()) {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                return ProbeResult.failure("dial tcp: lookup " + host + ": no such host");
            }
            socket.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return ProbeResult.success("");
        } catch (IOException e) {
            return ProbeResult.failure(GoText.dialError(hostPort, e));
        }
    }
}
