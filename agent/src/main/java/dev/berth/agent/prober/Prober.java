package dev.berth.agent.prober;

import dev.berth.agent.runtime.ContainerRuntime;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.util.concurrent.TimeUnit;

/** Runs one probe of a container with the handler it names (exec, httpGet, tcpSocket, grpc). */
final class Prober implements AutoCloseable {
    private final EventLoopGroup group;
    private final HttpGetProber http;
    private final TcpProber tcp = new TcpProber();
    private final ExecProber exec;
    private final GrpcProber grpc;

    Prober(ContainerRuntime runtime, String userAgent) {
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.http = new HttpGetProber(group, userAgent);
        this.exec = new ExecProber(runtime);
        this.grpc = new GrpcProber(userAgent);
    }

    ProbeResult run(ProbeSpec spec, ProbeTarget target) throws ProbeException {
        Probe probe = spec.probe();
        Container container = target.container();
        if (probe.getExec() != null) {
            if (target.containerId() == null || target.containerId().isEmpty()) {
                throw new ProbeException("container " + container.getName() + " has no runtime id to exec in");
            }
            return exec.probe(target.containerId(), probe.getExec().getCommand(), spec.timeout());
        }
        if (probe.getHttpGet() != null) {
            HTTPGetAction get = probe.getHttpGet();
            String host = hostOrPodIp(get.getHost(), target);
            int port = ProbeSpec.resolvePort(get.getPort(), container);
            String scheme = get.getScheme() == null || get.getScheme().isEmpty() ? "http" : get.getScheme();
            String url = HttpGetProber.url(scheme, host, port, get.getPath());
            return http.probe(url, HttpGetProber.headers(get.getHttpHeaders()), spec.timeout());
        }
        if (probe.getTcpSocket() != null) {
            TCPSocketAction socket = probe.getTcpSocket();
            String host = hostOrPodIp(socket.getHost(), target);
            int port = ProbeSpec.resolvePort(socket.getPort(), container);
            return tcp.probe(host, port, spec.timeout());
        }
        if (probe.getGrpc() != null) {
            String host = hostOrPodIp(null, target);
            return grpc.probe(host, probe.getGrpc().getPort(), probe.getGrpc().getService(), spec.timeout());
        }
        throw new ProbeException("missing probe handler for " + target.podKey() + ":" + container.getName());
    }

    private static String hostOrPodIp(String host, ProbeTarget target) throws ProbeException {
        if (host != null && !host.isEmpty()) {
            return host;
        }
        if (target.podIp() == null || target.podIp().isEmpty()) {
            throw new ProbeException("pod " + target.podKey() + " has no IP address to probe");
        }
        return target.podIp();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
