package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.agent.network.HostCommand;
import dev.berth.agent.proxy.IptablesDataplane;
import dev.berth.agent.proxy.IptablesRules;
import dev.berth.agent.proxy.ProxyTable;
import dev.berth.agent.proxy.ProxyTable.Endpoint;
import dev.berth.agent.proxy.ProxyTable.Protocol;
import dev.berth.agent.proxy.ProxyTable.ServicePort;
import dev.berth.agent.proxy.ServiceAddresses;
import dev.berth.agent.proxy.UserspaceDataplane;
import dev.berth.core.api.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The data path part of {@code berth bench proxy}, run by {@link ProxyBench} in a child JVM inside
 * a network namespace of its own (so every socket, address and rule here is the namespace's):
 * a "pod" serves at 10.42.0.2 (an address of the namespace), reached three ways in the same run,
 * interleaved: directly, through an iptables ClusterIP (the iptables dataplane's DNAT) and through
 * the userspace proxy's ClusterIP. Bulk: {@code --bulk-mib} MiB per transfer, MB/s. Latency:
 * {@code --connections} new connections per path, each one request byte and one reply byte,
 * round-trip p50/p99 in ms. Ratios are against direct.
 */
public final class ProxyDataPath {
    static final String POD_IP = "10.42.0.2";
    static final int ECHO_PORT = 8080;
    static final int SINK_PORT = 8081;
    static final String IPTABLES_IP = "10.43.0.5";
    static final String USERSPACE_IP = "10.43.0.6";
    static final String BRIDGE = "bbench0";
    private static final int ROUNDS = 3;

    private ProxyDataPath() {
    }

    /** Runs in the namespace: {@code prefix bulkMib connections}. */
    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        int bulkMib = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        run(prefix, bulkMib, connections, System.out);
        System.out.flush();
        System.exit(0);
    }

    static void run(String prefix, int bulkMib, int connections, PrintStream out) throws Exception {
        HostCommand host = HostCommand.local();
        host.check(List.of("ip", "link", "set", "lo", "up"), null);
        host.check(List.of("ip", "link", "add", BRIDGE, "type", "bridge"), null);
        // the cluster IPs are routed to this bridge before DNAT makes them local: give it loopback's MTU,
        // or connections through a ClusterIP would get a smaller segment size than direct ones
        host.check(List.of("ip", "link", "set", BRIDGE, "mtu", "65535"), null);
        host.check(List.of("ip", "link", "set", BRIDGE, "up"), null);
        host.check(List.of("ip", "addr", "add", "10.42.0.1/24", "dev", BRIDGE), null);
        host.check(List.of("ip", "addr", "add", POD_IP + "/32", "dev", BRIDGE), null);
        host.check(List.of("ip", "route", "add", "10.43.0.0/16", "dev", BRIDGE), null);

        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        ServerSocket echo = new ServerSocket();
        echo.bind(new InetSocketAddress(POD_IP, ECHO_PORT), 1024);
        ServerSocket sink = new ServerSocket();
        sink.bind(new InetSocketAddress(POD_IP, SINK_PORT), 1024);
        serve(threads, echo, ProxyDataPath::echoOne);
        serve(threads, sink, ProxyDataPath::sinkAll);

        List<Endpoint> echoEp = List.of(new Endpoint(POD_IP, ECHO_PORT));
        List<Endpoint> sinkEp = List.of(new Endpoint(POD_IP, SINK_PORT));
        IptablesRules rules = new IptablesRules(prefix, "10.42.0.0/16", "10.43.0.0/16");
        IptablesDataplane iptables = new IptablesDataplane(host, rules);
        iptables.program(new ProxyTable(List.of(port("echo", IPTABLES_IP, 80, echoEp), port("sink", IPTABLES_IP, 81, sinkEp)),
                List.of()), true);
        UserspaceDataplane userspace = new UserspaceDataplane(
                ServiceAddresses.onInterface(host, ServiceAddresses.interfaceName(prefix)), Clock.systemUTC(),
                (p, m) -> { });
        userspace.program(new ProxyTable(List.of(port("echo", USERSPACE_IP, 80, echoEp),
                port("sink", USERSPACE_IP, 81, sinkEp)), List.of()), true);
        try {
            Map<String, String[]> paths = new LinkedHashMap<>();
            paths.put("direct", new String[]{POD_IP, Integer.toString(ECHO_PORT), Integer.toString(SINK_PORT)});
            paths.put("iptables", new String[]{IPTABLES_IP, "80", "81"});
            paths.put("userspace", new String[]{USERSPACE_IP, "80", "81"});

            // warm up every path (JIT, conntrack, first connections)
            for (String[] p : paths.values()) {
                bulk(p[0], Integer.parseInt(p[2]), Math.min(bulkMib, 32));
                for (int i = 0; i < 200; i++) roundTrip(p[0], Integer.parseInt(p[1]));
            }
            Map<String, List<Double>> mbps = new LinkedHashMap<>();
            Map<String, List<Long>> rtts = new LinkedHashMap<>();
            paths.keySet().forEach(k -> {
                mbps.put(k, new ArrayList<>());
                rtts.put(k, new ArrayList<>());
            });
            // the order of the paths rotates from round to round, so that none always runs first or last
            List<String> names = new ArrayList<>(paths.keySet());
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((round + k) % names.size());
                    String[] p = paths.get(name);
                    mbps.get(name).add(bulk(p[0], Integer.parseInt(p[2]), bulkMib));
                }
            }
            int chunk = Math.max(1, connections / 10);
            int turn = 0;
            for (int done = 0; done < connections; done += chunk, turn++) {
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((turn + k) % names.size());
                    String[] p = paths.get(name);
                    for (int i = 0; i < Math.min(chunk, connections - done); i++) {
                        rtts.get(name).add(roundTrip(p[0], Integer.parseInt(p[1])));
                    }
                }
            }
            double directMbps = median(mbps.get("direct"));
            long[] direct = sorted(rtts.get("direct"));
            for (String path : paths.keySet()) {
                double m = median(mbps.get(path));
                long[] r = sorted(rtts.get(path));
                ObjectNode line = Json.MAPPER.createObjectNode().put("bench", "proxy").put("metric", "data_path")
                        .put("path", path).put("bulk_mib", bulkMib).put("bulk_mb_per_s", round(m))
                        .put("bulk_ratio_to_direct", round(m / directMbps))
                        .put("connections", connections)
                        .put("rtt_p50_ms", round(percentile(r, 50) / 1e6)).put("rtt_p99_ms", round3(percentile(r, 99) / 1e6))
                        .put("added_p99_ms", round3((percentile(r, 99) - percentile(direct, 99)) / 1e6))
                        .put("rtt_p99_ratio_to_direct", round((double) percentile(r, 99) / percentile(direct, 99)));
                if (path.equals("iptables")) line.put("goal_bulk_ratio", 0.95).put("goal_added_p99_ms", 0.2);
                if (path.equals("userspace")) line.put("goal_bulk_ratio", 0.70).put("goal_added_p99_ms", 0.2);
                out.println(Json.MAPPER.writeValueAsString(line));
            }
        } finally {
            userspace.close();
            echo.close();
            sink.close();
            threads.shutdownNow();
        }
    }

    private static ServicePort port(String name, String clusterIp, int port, List<Endpoint> endpoints) {
        return new ServicePort("bench", name, "", Protocol.TCP, clusterIp, port, 0, List.of(), 0, endpoints, false);
    }

    private interface Handler {
        void handle(Socket s) throws IOException;
    }

    private static void serve(ExecutorService threads, ServerSocket server, Handler handler) {
        threads.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                threads.submit(() -> {
                    try (s) {
                        handler.handle(s);
                    }
                    return null;
                });
            }
            return null;
        });
    }

    private static void echoOne(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        int b = in.read();
        if (b < 0) return;
        out.write(b);
        out.flush();
        while (in.read() >= 0) {
            // until the client closes
        }
    }

    private static void sinkAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[256 * 1024];
        while (in.read(buf) >= 0) {
            // discard
        }
        s.getOutputStream().write(1);
        s.getOutputStream().flush();
    }

    /** One transfer of {@code mib} MiB and the sink's acknowledgement; MB/s (10^6 bytes). */
    private static double bulk(String ip, int port, int mib) throws IOException {
        byte[] buf = new byte[256 * 1024];
        long bytes = (long) mib * 1024 * 1024;
        try (Socket s = new Socket()) {
            long start = System.nanoTime();
            s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
            OutputStream out = s.getOutputStream();
            for (long sent = 0; sent < bytes; sent += buf.length) out.write(buf, 0, (int) Math.min(buf.length, bytes - sent));
            s.shutdownOutput();
            if (s.getInputStream().read() != 1) throw new IOException("no acknowledgement from the sink through " + ip + ":" + port);
            return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** A new connection, one byte there and back; nanoseconds from connect to the reply. */
    private static long roundTrip(String ip, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            long start = System.nanoTime();
            s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
            s.getOutputStream().write(7);
            if (s.getInputStream().read() != 7) throw new IOException("no echo through " + ip + ":" + port);
            return System.nanoTime() - start;
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[a.length / 2];
    }

    private static long[] sorted(List<Long> v) {
        long[] a = v.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
