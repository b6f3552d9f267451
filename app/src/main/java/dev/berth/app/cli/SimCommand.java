package dev.berth.app.cli;

import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.Labels;
import dev.berth.core.sim.GoDuration;
import dev.berth.core.sim.HollowNodeSpec;
import dev.berth.core.sim.HollowNodes;
import dev.berth.core.sim.SimOptions;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Runs simulated (hollow) nodes against a control plane, like kubemark or KWOK:",
                "they register Nodes, renew their Leases, and move the pods bound to them to Running",
                "(Succeeded for Jobs) without running containers. Runs until interrupted.",
                "Pod annotations: sim.berth.dev/complete-after=30s (succeed after), sim.berth.dev/fail=true",
                "(exit 1), sim.berth.dev/cpu-usage=250m and sim.berth.dev/memory-usage=128Mi (reported usage)."})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
            description = "Kubeconfig of the control plane, e.g. DATA_DIR/admin.kubeconfig.")
    Path kubeconfig;

    @Option(names = "--nodes", paramLabel = "N", required = true, description = "How many nodes to simulate.")
    int nodes;

    @Option(names = "--name-prefix", paramLabel = "PREFIX", defaultValue = "sim-",
            description = "Node names are PREFIX0, PREFIX1, ... (default: ${DEFAULT-VALUE}).")
    String namePrefix;

    @Option(names = "--cpu", paramLabel = "QUANTITY", defaultValue = "4",
            description = "CPU capacity of each node (default: ${DEFAULT-VALUE}).")
    String cpu;

    @Option(names = "--memory", paramLabel = "QUANTITY", defaultValue = "16Gi",
            description = "Memory capacity of each node (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--pods", paramLabel = "N", defaultValue = "110",
            description = "Pod capacity of each node (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--labels", paramLabel = "KEY=VALUE,...", split = ",",
            description = "Extra labels on every node.")
    List<String> labels = List.of();

    @Option(names = "--job-run-time", paramLabel = "DURATION", defaultValue = "5s",
            description = "How long a pod of a Job runs before it succeeds (default: ${DEFAULT-VALUE}).")
    String jobRunTime;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "8",
            description = "Threads writing to the API for all nodes together (default: ${DEFAULT-VALUE}).")
    int workers;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        List<HollowNodeSpec> specs = specs();
        SimOptions options = SimOptions.defaults().withWorkers(workers)
                .withJobRunTime(parse("--job-run-time", () -> GoDuration.parse("--job-run-time", jobRunTime)));
        Config config;
        try {
            config = Config.fromKubeconfig(Files.readString(kubeconfig));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--kubeconfig: cannot read \"" + kubeconfig + "\": " + e.getMessage());
        }
        Thread hook = new Thread(stop::countDown, "berth-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(config, specs, options, System.out);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    /** Runs the nodes until {@link #stop()}; prints progress to {@code out}. */
    int run(Config config, List<HollowNodeSpec> specs, SimOptions options, PrintStream out) throws InterruptedException, java.io.IOException {
        config.setRequestTimeout(30_000);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             HollowNodes sim = new HollowNodes(client, Clock.systemUTC(), options).start()) {
            out.println("berth sim: starting " + specs.size() + " nodes against " + config.getMasterUrl());
            out.flush();
            sim.serveSummaries();
            sim.addAll(specs);
            int reported = -1;
            boolean announced = false;
            while (!stop.await(1, TimeUnit.SECONDS)) {
                int registered = sim.registeredCount();
                if (registered != reported && !announced) {
                    out.println("berth sim: " + registered + "/" + specs.size() + " nodes registered");
                    reported = registered;
                }
                if (registered == specs.size() && !announced) {
                    out.println("berth sim: all " + specs.size() + " nodes running; interrupt (Ctrl-C) to stop");
                    announced = true;
                }
                out.flush();
            }
            out.println("berth sim: stopping");
            out.flush();
        }
        return 0;
    }

    /** Ends {@link #run}. */
    void stop() {
        stop.countDown();
    }

    List<HollowNodeSpec> specs() {
        if (nodes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--nodes: invalid value " + nodes + ": must be at least 1");
        }
        if (pods < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--pods: invalid value " + pods + ": must be at least 1");
        }
        if (workers < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--workers: invalid value " + workers + ": must be at least 1");
        }
        Quantity cpuQ = quantity("--cpu", cpu);
        Quantity memoryQ = quantity("--memory", memory);
        Map<String, String> extra = new LinkedHashMap<>();
        for (String kv : labels) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--labels: invalid value \"" + kv + "\": must be KEY=VALUE pairs separated by commas");
            }
            extra.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        List<FieldError> errors = Labels.validate(extra, "--labels");
        if (!errors.isEmpty()) {
            FieldError e = errors.getFirst();
            throw new CommandLine.ParameterException(spec.commandLine(), e.field() + ": " + e.message());
        }
        List<HollowNodeSpec> out = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            String name = namePrefix + i;
            int index = i;
            out.add(parse("--name-prefix", () -> HollowNodeSpec.of(name, index)
                    .withCapacity(cpuQ, memoryQ, pods).withLabels(extra)));
        }
        return out;
    }

    private Quantity quantity(String option, String value) {
        try {
            Quantity q = new Quantity(value);
            if (q.getNumericalAmount().signum() <= 0) {
                throw new IllegalArgumentException();
            }
            return q;
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": invalid value \"" + value
                    + "\": must be a positive quantity like 4, 500m or 16Gi");
        }
    }

    private <T> T parse(String option, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new CommandLine.ParameterException(spec.commandLine(), m.startsWith(option) ? m : option + ": " + m);
        }
    }
}
