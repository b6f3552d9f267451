package dev.berth.bench;

import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.scheduler.Scheduler;
import dev.berth.core.server.BerthServer;
import dev.berth.core.sim.HollowNodeSpec;
import dev.berth.core.sim.HollowNodes;
import dev.berth.core.sim.SimOptions;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Scheduler benchmark on an in-process control plane: N nodes with allocatable and M pods with
 * requests, already Pending, then a scheduler started on them; binds/s = persisted binds divided
 * by the time from the first to the last bind seen on a watch. Baseline in the same run: the
 * same number of binds written through the same API by a trivial loop (round-robin nodes, the
 * scheduler's bind concurrency), the floor the API chain sets. Prints one JSON object.
 *
 * <pre>SchedulerBench [--dir DIR] [--nodes N] [--pods M] [--anti-affinity]</pre>
 */
public final class SchedulerBench {
    private SchedulerBench() {}

    static final String BENCH_SCHEDULER = "bench-scheduler";
    static final String NOBODY = "no-scheduler";
    static final int SETUP_CONCURRENCY = 16;

    public record Options(Path dir, int nodes, int pods, boolean antiAffinity) {
        public static Options parse(String[] args) {
            Path dir = null;
            int nodes = 100, pods = 2_000;
            boolean anti = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                    case "--nodes" -> nodes = positive(value(args, ++i, "--nodes"), "--nodes");
                    case "--pods" -> pods = positive(value(args, ++i, "--pods"), "--pods");
                    case "--anti-affinity" -> anti = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --dir DIR, --nodes N, --pods M, --anti-affinity)");
                }
            }
            return new Options(dir, nodes, pods, anti);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int positive(String s, String option) {
            try {
                int n = Integer.parseInt(s);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + s + " must be a positive integer");
        }
    }

    private static long running(KubernetesClient client, String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count();
    }

    public static void run(Options o, PrintStream out) throws Exception {
        HollowNodes hollow = null;
        Path dir = o.dir() != null ? o.dir() : Files.createTempDirectory("berth-bench-scheduler");
        // a /24 of 10.0.0.0/8 per node: room for 65,536 simulated nodes
        ServerOptions serverOptions = ServerOptions.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withClusterCidr("10.0.0.0/8");
        try (BerthServer server = new BerthServer(serverOptions, Clock.systemUTC()).start();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(config(server)).build();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String ns : List.of("bench", "baseline")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
            // simulated nodes: they heartbeat (so node lifecycle leaves them alone) and run what is bound to them
            hollow = new HollowNodes(client, Clock.systemUTC(), SimOptions.defaults()).start();
            List<HollowNodeSpec> specs = new java.util.ArrayList<>();
            for (int i = 0; i < o.nodes(); i++) {
                specs.add(HollowNodeSpec.of(nodeName(i), i).withCapacity(new Quantity("64"), new Quantity("256Gi"), 110_000));
            }
            hollow.addAll(specs);
            long registering = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (hollow.registeredCount() < o.nodes()) {
                if (System.nanoTime() > registering) {
                    throw new TimeoutException(hollow.registeredCount() + " of " + o.nodes() + " nodes registered after 10 minutes");
                }
                Thread.sleep(50);
            }
            parallel(pool, o.pods(), SETUP_CONCURRENCY, i -> {
                client.pods().inNamespace("baseline").resource(pod("baseline", i, NOBODY, false)).create();
                client.pods().inNamespace("bench").resource(pod("bench", i, BENCH_SCHEDULER, o.antiAffinity())).create();
            });

            ControllerContext context = ControllerContext.create(client, Clock.systemUTC(), BENCH_SCHEDULER);
            AtomicInteger bound = new AtomicInteger();
            AtomicLong first = new AtomicLong(), last = new AtomicLong();
            context.informers().of(Pod.class).addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Pod pod) {
                }

                @Override
                public void onUpdate(Pod oldPod, Pod pod) {
                    if ("bench".equals(pod.getMetadata().getNamespace()) && oldPod.getSpec().getNodeName() == null
                            && pod.getSpec().getNodeName() != null) {
                        long now = System.nanoTime();
                        first.compareAndSet(0, now);
                        last.set(now);
                        bound.incrementAndGet();
                    }
                }

                @Override
                public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                }
            });
            int expected = o.antiAffinity() ? Math.min(o.pods(), o.nodes()) : o.pods();
            try (Scheduler scheduler = new Scheduler(context, BENCH_SCHEDULER, EventRecorder.NONE, false,
                    Scheduler.DEFAULT_BIND_CONCURRENCY)) {
                scheduler.start();
                context.informers().start();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (bound.get() < expected) {
                    if (System.nanoTime() > deadline) {
                        throw new TimeoutException(bound.get() + " of " + expected + " pods bound after 10 minutes");
                    }
                    Thread.sleep(20);
                }
            } finally {
                context.informers().close();
            }
            double seconds = Math.max(1e-9, (last.get() - first.get()) / 1e9);
            // until the simulated nodes report every bound pod Running
            long runningDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (running(client, "bench") < expected && System.nanoTime() < runningDeadline) {
                Thread.sleep(200);
            }
            double allRunningSeconds = (System.nanoTime() - first.get()) / 1e9;

            // baseline, once the scheduled pods run: the same binds by a trivial loop through the same API
            long baseStart = System.nanoTime();
            parallel(pool, o.pods(), Scheduler.DEFAULT_BIND_CONCURRENCY, i -> client.resource(new BindingBuilder()
                    .withNewMetadata().withName("p-" + i).withNamespace("baseline").endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName(i % o.nodes())).endTarget()
                    .build()).inNamespace("baseline").create());
            double baselineSeconds = (System.nanoTime() - baseStart) / 1e9;
            // stop the simulated nodes while their client is still open
            hollow.close();
            hollow = null;
            out.println(String.format(Locale.ROOT,
                    "{\"bench\":\"scheduler\",\"profile\":\"%s\",\"nodes\":%d,\"pods\":%d,\"binds\":%d,"
                            + "\"binds_per_s\":%.1f,\"baseline_binds_per_s\":%.1f,\"ratio\":%.2f,"
                            + "\"all_running_s\":%.1f,\"bind_concurrency\":%d}",
                    o.antiAffinity() ? "anti-affinity" : "basic", o.nodes(), o.pods(), bound.get(),
                    bound.get() / seconds, o.pods() / baselineSeconds, (bound.get() / seconds) / (o.pods() / baselineSeconds),
                    allRunningSeconds, Scheduler.DEFAULT_BIND_CONCURRENCY));
        } finally {
            if (hollow != null) {
                hollow.close();
            }
        }
    }

    private static Config config(BerthServer server) throws java.io.IOException {
        Config config = Config.fromKubeconfig(Files.readString(server.adminKubeconfig()));
        config.setRequestTimeout((int) TimeUnit.MINUTES.toMillis(2));
        config.setMaxConcurrentRequests(256);
        config.setMaxConcurrentRequestsPerHost(256);
        return config;
    }

    private static String nodeName(int i) {
        return "node-" + i;
    }

    private static Pod pod(String ns, int i, String schedulerName, boolean antiAffinity) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName("p-" + i).addToLabels("app", "bench")
                .endMetadata().withNewSpec().withSchedulerName(schedulerName)
                .addNewContainer().withName("c").withImage("registry.local/c:1").withNewResources()
                .addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("16Mi"))
                .endResources().endContainer().endSpec();
        if (antiAffinity) {
            b.editSpec().withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withNewLabelSelector().addToMatchLabels("app", "bench").endLabelSelector()
                    .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endPodAntiAffinity().endAffinity().endSpec();
        }
        return b.build();
    }

    /** Runs {@code task(0..n-1)} on virtual threads, at most {@code concurrency} at once, and rethrows the first failure. */
    private static void parallel(ExecutorService pool, int n, int concurrency, IntConsumer task) throws Exception {
        Semaphore slots = new Semaphore(concurrency);
        List<Future<?>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.acquire();
            int k = i;
            futures.add(pool.submit(() -> {
                try {
                    task.accept(k);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
    }
}
