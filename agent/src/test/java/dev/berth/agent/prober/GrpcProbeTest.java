package dev.berth.agent.prober;

import dev.berth.core.controller.RecordedEvents;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The gRPC probe against grpc-java servers on loopback. */
class GrpcProbeTest {
    private static final AtomicReference<String> userAgent = new AtomicReference<>();
    private static Server healthServer;
    private static Server hangingServer;
    private static Server bareServer;
    private static final GrpcProber prober = new GrpcProber(DefaultProbes.USER_AGENT);

    @BeforeAll
    static void start() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("db", ServingStatus.NOT_SERVING);
        ServerInterceptor recordUserAgent = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                userAgent.set(headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)));
                return next.startCall(call, headers);
            }
        };
        healthServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(health.getHealthService(), recordUserAgent)).build().start();
        // answers nothing: the rpc itself times out
        hangingServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new HealthGrpc.HealthImplBase() {
                    @Override
                    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
                    }
                }).build().start();
        bareServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
        // the first call loads grpc-java, which on a busy machine can outlast a 1 s timeout
        prober.probe("127.0.0.1", healthServer.getPort(), "", Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Server s : new Server[]{healthServer, hangingServer, bareServer}) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static ProbeResult check(Server server, String service) {
        return prober.probe("127.0.0.1", server.getPort(), service, Duration.ofSeconds(5));
    }

    @Test
    void passesWhenTheServiceIsServing() {
        assertThat(check(healthServer, "")).isEqualTo(ProbeResult.success("service is serving"));
        assertThat(userAgent.get()).startsWith("kube-probe/1.32");
    }

    @Test
    void failsWhenTheServiceIsNotServing() {
        assertThat(check(healthServer, "db")).isEqualTo(ProbeResult.failure("service unhealthy (responded with \"NOT_SERVING\")"));
    }

    @Test
    void failsForAServiceTheServerDoesNotKnow() {
        assertThat(check(healthServer, "cache")).isEqualTo(ProbeResult.failure(
                "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service cache"));
    }

    @Test
    void failsWhenTheServerDoesNotImplementHealth() {
        assertThat(check(bareServer, "").output())
                .startsWith("this server does not implement the grpc health protocol (grpc.health.v1.Health): ")
                .contains("grpc.health.v1.Health/Check");
    }

    @Test
    void failsWhenTheRpcDoesNotCompleteInTime() {
        assertThat(prober.probe("127.0.0.1", hangingServer.getPort(), "", Duration.ofSeconds(1)))
                .isEqualTo(ProbeResult.failure("timeout: health rpc did not complete within 1s"));
    }

    @Test
    void failsWhenNothingListensWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(prober.probe("127.0.0.1", closed, "", Duration.ofSeconds(1))).isEqualTo(ProbeResult.failure(
                "timeout: failed to connect service \"127.0.0.1:" + closed + "\" within 1s: context deadline exceeded"));
    }

    @Test
    void livenessThroughDefaultProbesRecordsKubeletsEvent() {
        FakeClock clock = new FakeClock();
        RecordedEvents events = new RecordedEvents();
        RecordingListener listener = new RecordingListener();
        try (DefaultProbes probes = new DefaultProbes(new ExecOnlyRuntime(), listener, events, clock)) {
            var container = new ContainerBuilder().withName("api").withImage("busybox")
                    .withLivenessProbe(new ProbeBuilder().withNewGrpc().withPort(healthServer.getPort()).withService("db").endGrpc()
                            .withTimeoutSeconds(5).withFailureThreshold(1).build())
                    .withReadinessProbe(new ProbeBuilder().withNewGrpc().withPort(healthServer.getPort()).endGrpc()
                            .withTimeoutSeconds(5).build())
                    .build();
            probes.add(new ProbeTarget("uid-3", "default/api", container, "c1", "127.0.0.1", clock.instant()));
            probes.runDue();
            assertThat(events.about("api")).containsExactly(
                    "Warning Unhealthy: Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")");
            assertThat(listener.lines()).containsExactlyInAnyOrder("api LIVENESS false", "api READINESS true");
        }
    }
}
