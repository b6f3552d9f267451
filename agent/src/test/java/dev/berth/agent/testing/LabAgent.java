package dev.berth.agent.testing;

import dev.berth.agent.Agent;
import dev.berth.agent.AgentOptions;
import dev.berth.agent.Privileges;
import dev.berth.agent.ProductionParts;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The agent of one {@link Lab} node: a child JVM started inside the node's network namespace, running
 * {@link Agent} with {@link ProductionParts} until it is sent SIGTERM. Takes {@code berth agent}'s
 * options: {@code --kubeconfig --node-name --node-ip --data-dir --docker-host --name-prefix --port
 * --cluster-cidr --service-cidr --cluster-dns --proxy-mode --dns-upstream IP[:PORT] --ingress}.
 */
public final class LabAgent {
    private LabAgent() {
    }

    public static void main(String[] args) throws Exception {
        AgentOptions o = options(List.of(args));
        Agent agent = Agent.fromKubeconfig(o, new ProductionParts(), Privileges.system(), Clock.systemUTC()).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "lab-agent-shutdown"));
        System.out.println("lab agent running as node " + o.nodeName());
        System.out.flush();
        stopped.await();
    }

    /** The options from {@code berth agent}-style arguments. */
    static AgentOptions options(List<String> args) {
        Path kubeconfig = null;
        List<String> rest = new ArrayList<>(args);
        for (int i = 0; i + 1 < rest.size(); i++) {
            if (rest.get(i).equals("--kubeconfig")) kubeconfig = Path.of(rest.get(i + 1));
        }
        if (kubeconfig == null) throw new IllegalArgumentException("--kubeconfig is required");
        AgentOptions o = AgentOptions.defaults(kubeconfig);
        List<String> upstreams = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (flag.equals("--ingress")) {
                o = o.withIngress(true);
                continue;
            }
            if (i + 1 >= rest.size()) throw new IllegalArgumentException(flag + " needs a value");
            String v = rest.get(++i);
            o = switch (flag) {
                case "--kubeconfig" -> o;
                case "--node-name" -> o.withNodeName(v);
                case "--node-ip" -> o.withNodeIp(AgentOptions.requireIp("--node-ip", v));
                case "--data-dir" -> o.withDataDir(Path.of(v));
                case "--docker-host" -> o.withDockerHost(URI.create(v));
                case "--name-prefix" -> o.withNamePrefix(v);
                case "--port" -> o.withPort(Integer.parseInt(v));
                case "--cluster-cidr" -> o.withClusterCidr(v);
                case "--service-cidr" -> o.withServiceCidr(v);
                case "--cluster-dns" -> o.withClusterDns(v);
                case "--proxy-mode" -> o.withProxyMode(AgentOptions.ProxyMode.parse(v));
                case "--dns-upstream" -> {
                    upstreams.add(v);
                    yield o;
                }
                default -> throw new IllegalArgumentException("unknown option " + flag);
            };
        }
        return o.withDnsUpstreams(upstreams);
    }
}
