package dev.berth.agent.prober;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * kubelet's gRPC probe: {@code grpc.health.v1.Health/Check} for the probe's service over
 * plaintext; SERVING passes. Like kubelet (which dials with {@code WithBlock}), the call waits for
 * the connection until the timeout, so a port that refuses connections fails with "failed to
 * connect service ... within 1s".
 */
final class GrpcProber {
    private final String userAgent;

    GrpcProber(String userAgent) {
        this.userAgent = userAgent;
    }

    ProbeResult probe(String host, int port, String service, Duration timeout) {
        String address = GoText.joinHostPort(host, port);
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .userAgent(userAgent)
                .directExecutor()
                .build();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .withWaitForReady()
                    .check(HealthCheckRequest.newBuilder().setService(service == null ? "" : service).build());
            if (response.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                return ProbeResult.failure("service unhealthy (responded with " + GoText.quote(response.getStatus().name()) + ")");
            }
            return ProbeResult.success("service is serving");
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            return switch (status.getCode()) {
                case DEADLINE_EXCEEDED -> channel.getState(false) != ConnectivityState.READY
                        ? ProbeResult.failure("timeout: failed to connect service " + GoText.quote(address) + " within "
                        + GoText.duration(timeout) + ": context deadline exceeded")
                        : ProbeResult.failure("timeout: health rpc did not complete within " + GoText.duration(timeout));
                case UNIMPLEMENTED -> ProbeResult.failure(
                        "this server does not implement the grpc health protocol (grpc.health.v1.Health): "
                                + nullToEmpty(status.getDescription()));
                default -> ProbeResult.failure("error: health rpc probe failed: rpc error: code = " + goCode(status.getCode())
                        + " desc = " + nullToEmpty(status.getDescription()));
            };
        } finally {
            channel.shutdownNow();
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** grpc-go's names of status codes: NOT_FOUND is NotFound, CANCELLED is Canceled. */
    static String goCode(Status.Code code) {
        if (code == Status.Code.CANCELLED) {
            return "Canceled";
        }
        if (code == Status.Code.OK) {
            return "OK";
        }
        StringBuilder b = new StringBuilder();
        for (String part : code.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
