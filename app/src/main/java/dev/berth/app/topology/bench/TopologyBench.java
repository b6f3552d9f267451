package dev.berth.app.topology.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.app.fx.FxTasks;
import dev.berth.app.topology.canvas.TopologyCanvas;
import dev.berth.app.topology.layout.Sizes;
import dev.berth.app.topology.layout.TopologyLayout;
import dev.berth.app.topology.model.EdgeType;
import dev.berth.app.topology.model.ObjectChange;
import dev.berth.app.topology.model.TopologyDelta;
import dev.berth.app.topology.model.TopologyEdge;
import dev.berth.app.topology.model.TopologyElement;
import dev.berth.app.topology.model.TopologyModel;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth bench topology}: the topology view at scale. Objects are fed to the model as an
 * informer would (Nodes, then per workload a Deployment, its ReplicaSet, its pods, a Service and an
 * EndpointSlice). Figures: building the model, the first ELK layout, one pod changing (model and
 * canvas), and frame times while the canvas pans and zooms every pulse; each beside the same
 * figure for a small topology (the baseline) measured in the same run.
 *
 * <p>Frames: JavaFX's pulse runs at full speed ({@code javafx.animation.fullspeed}) so that the
 * time between two pulses is what a frame costs, not the 60 Hz timer; software rendering
 * ({@code prism.order=sw}) on the display in DISPLAY (Xvfb on a server), or Monocle headless when
 * it is on the class path and there is no display.
 */
public final class TopologyBench {
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private TopologyBench() {}

    public record Options(int workloads, int podsPerWorkload, int baselineWorkloads, int seconds, int updates, int nodes) {
        public static Options parse(String[] args) {
            int workloads = 2000, pods = 10, baseline = 20, seconds = 5, updates = 50, nodes = 50;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--workloads" -> workloads = positive(value(args, ++i, "--workloads"), "--workloads");
                    case "--pods-per-workload" -> pods = positive(value(args, ++i, "--pods-per-workload"), "--pods-per-workload");
                    case "--baseline" -> baseline = positive(value(args, ++i, "--baseline"), "--baseline");
                    case "--seconds" -> seconds = positive(value(args, ++i, "--seconds"), "--seconds");
                    case "--updates" -> updates = positive(value(args, ++i, "--updates"), "--updates");
                    case "--nodes" -> nodes = positive(value(args, ++i, "--nodes"), "--nodes");
                    case "--smoke" -> {
                        workloads = 200;
                        seconds = 1;
                        updates = 10;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; options: --workloads N --pods-per-workload N --baseline N --seconds N --updates N --nodes N --smoke");
                }
            }
            return new Options(workloads, pods, baseline, seconds, updates, nodes);
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[i];
        }

        private static int positive(String v, String name) {
            try {
                int n = Integer.parseInt(v);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException(name + " " + v + " must be a positive whole number");
        }
    }

    /** The figures of one topology size. */
    record Figures(int workloads, int pods, double modelMs, double layoutMs, double eachComponentMs, double updateP50Ms, double updateP95Ms,
                   double frameP50Ms, double frameP95Ms, double frameMaxMs, int framesOver16, int frames, double drawP95Ms,
                   double cpuP50Ms, double cpuP95Ms) {}

    public static void run(Options o, PrintStream out) throws Exception {
        String renderer = startFx();
        warmUp(o);
        Figures base = measure(o.baselineWorkloads(), o, out);
        Figures big = measure(o.workloads(), o, out);
        print(out, "first_layout", big.layoutMs(), base.layoutMs(), "ms", 1000, Map.of("model_build_ms", big.modelMs(),
                "baseline_model_build_ms", base.modelMs(), "every_component_laid_out_ms", big.eachComponentMs(),
                "baseline_every_component_laid_out_ms", base.eachComponentMs()), big, base);
        print(out, "update_one_pod_p95", big.updateP95Ms(), base.updateP95Ms(), "ms", 16, Map.of("p50_ms", big.updateP50Ms(),
                "baseline_p50_ms", base.updateP50Ms()), big, base);
        Map<String, Object> frames = new LinkedHashMap<>();
        frames.put("p50_ms", big.frameP50Ms());
        frames.put("max_ms", big.frameMaxMs());
        frames.put("over_16ms", big.framesOver16());
        frames.put("frames", big.frames());
        frames.put("draw_p95_ms", big.drawP95Ms());
        frames.put("cpu_p50_ms", big.cpuP50Ms());
        frames.put("cpu_p95_ms", big.cpuP95Ms());
        frames.put("baseline_cpu_p50_ms", base.cpuP50Ms());
        frames.put("baseline_cpu_p95_ms", base.cpuP95Ms());
        frames.put("baseline_p50_ms", base.frameP50Ms());
        frames.put("baseline_over_16ms", base.framesOver16());
        frames.put("baseline_draw_p95_ms", base.drawP95Ms());
        frames.put("renderer", renderer);
        print(out, "frame_p95_pan_zoom", big.frameP95Ms(), base.frameP95Ms(), "ms", 16, frames, big, base);
        Platform.exit();
    }

    private static void print(PrintStream out, String figure, double value, double baseline, String unit, double goal,
                              Map<String, Object> extra, Figures big, Figures base) throws Exception {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("bench", "topology");
        line.put("figure", figure);
        line.put("workloads", big.workloads());
        line.put("pods", big.pods());
        line.put("value_" + unit, round(value));
        line.put("baseline_workloads", base.workloads());
        line.put("baseline_" + unit, round(baseline));
        line.put("ratio", round(baseline > 0 ? value / baseline : 0));
        line.put("goal_" + unit, goal);
        line.put("meets_goal", value <= goal);
        extra.forEach((k, v) -> line.set(k, Json.MAPPER.valueToTree(v instanceof Double d ? round(d) : v)));
        out.println(Json.MAPPER.writeValueAsString(line));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Starts JavaFX with software rendering; says which platform it got. */
    static String startFx() throws InterruptedException {
        System.setProperty("prism.order", "sw");
        System.setProperty("javafx.animation.fullspeed", "true");
        String display = System.getenv("DISPLAY");
        String renderer;
        if (display == null || display.isEmpty()) {
            try {
                Class.forName("com.sun.glass.ui.monocle.MonocleApplication");
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("no display: set DISPLAY (e.g. run under xvfb-run) or put Monocle on the class path");
            }
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            renderer = "monocle-headless, prism sw";
        } else {
            renderer = "display " + display + ", prism sw";
        }
        CountDownLatch up = new CountDownLatch(1);
        Platform.startup(up::countDown);
        if (!up.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("JavaFX did not start within 60 s");
        }
        Platform.setImplicitExit(false);
        return renderer;
    }

    /** The objects of {@code workloads} apps as informer events. */
    static List<ObjectChange> objects(int workloads, int podsPer, int nodes) {
        List<ObjectChange> out = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            out.add(ObjectChange.upsert("Node", node("node-" + n)));
        }
        int pod = 0;
        for (int w = 0; w < workloads; w++) {
            String app = "app-" + w;
            Map<String, Object> labels = Map.of("app", app);
            out.add(ObjectChange.upsert("Deployment", object(app, null, Map.of("spec", Map.of("replicas", podsPer,
                    "selector", Map.of("matchLabels", labels), "template", Map.of("metadata", Map.of("labels", labels),
                            "spec", Map.of("containers", List.of(Map.of("name", "c", "image", "busybox:1")),
                                    "volumes", List.of(Map.of("name", "cfg", "configMap", Map.of("name", app)))))),
                    "status", Map.of("replicas", podsPer, "readyReplicas", podsPer, "updatedReplicas", podsPer)))));
            out.add(ObjectChange.upsert("ConfigMap", object(app, null, Map.of("data", Map.of("k", "v")))));
            String rs = app + "-5d4f";
            out.add(ObjectChange.upsert("ReplicaSet", object(rs, owner("Deployment", app), Map.of("spec", Map.of("replicas", podsPer,
                    "template", Map.of("metadata", Map.of("labels", labels))), "status", Map.of("replicas", podsPer, "readyReplicas", podsPer)))));
            List<Object> endpoints = new ArrayList<>();
            for (int p = 0; p < podsPer; p++) {
                String name = rs + "-" + p;
                out.add(ObjectChange.upsert("Pod", pod(name, rs, "node-" + (pod++ % nodes), true)));
                endpoints.add(Map.of("addresses", List.of("10.42.0.1"), "conditions", Map.of("ready", true),
                        "targetRef", Map.of("kind", "Pod", "namespace", "bench", "name", name)));
            }
            out.add(ObjectChange.upsert("Service", object(app, null, Map.of("spec", Map.of("selector", labels, "clusterIP", "10.43.0.1")))));
            GenericKubernetesResource slice = object(app + "-x1", null, Map.of("addressType", "IPv4", "endpoints", endpoints));
            slice.getMetadata().setLabels(Map.of("kubernetes.io/service-name", app));
            out.add(ObjectChange.upsert("EndpointSlice", slice));
        }
        return out;
    }

    static GenericKubernetesResource pod(String name, String rs, String node, boolean ready) {
        return object(name, owner("ReplicaSet", rs), Map.of("spec", Map.of("nodeName", node,
                        "containers", List.of(Map.of("name", "c", "image", "busybox:1"))),
                "status", Map.of("phase", "Running", "conditions", List.of(Map.of("type", "Ready", "status", ready ? "True" : "False")),
                        "containerStatuses", List.of(Map.of("name", "c", "ready", ready, "restartCount", ready ? 0 : 1,
                                "state", Map.of("running", Map.of()))))));
    }

    private static GenericKubernetesResource node(String name) {
        GenericKubernetesResource n = new GenericKubernetesResource();
        n.setMetadata(new ObjectMeta());
        n.getMetadata().setName(name);
        n.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        return n;
    }

    private static OwnerReference owner(String kind, String name) {
        OwnerReference r = new OwnerReference();
        r.setKind(kind);
        r.setName(name);
        r.setUid("uid-" + name);
        r.setController(true);
        return r;
    }

    private static GenericKubernetesResource object(String name, OwnerReference owner, Map<String, Object> fields) {
        GenericKubernetesResource o = new GenericKubernetesResource();
        ObjectMeta m = new ObjectMeta();
        m.setNamespace("bench");
        m.setName(name);
        if (owner != null) {
            m.setOwnerReferences(List.of(owner));
        }
        o.setMetadata(m);
        fields.forEach(o::setAdditionalProperty);
        return o;
    }

    /** Loads and compiles the model and ELK code paths before anything is timed. */
    private static void warmUp(Options o) {
        for (int i = 0; i < 3; i++) {
            TopologyModel m = new TopologyModel("bench");
            m.apply(objects(Math.max(o.baselineWorkloads(), 100), o.podsPerWorkload(), o.nodes()));
            List<TopologyLayout.Item> items = new ArrayList<>();
            for (TopologyElement e : m.elements()) {
                if (!e.isPod() && !"Node".equals(e.kind())) {
                    items.add(new TopologyLayout.Item(e, Sizes.width(e, m.podCount(e.id())), Sizes.height(e, m.podCount(e.id()))));
                }
            }
            TopologyLayout.layout(items, m.edges().stream().filter(e -> e.type() != EdgeType.ENDPOINT && !m.isContained(e.to())).toList(), Map.of());
        }
    }

    static Figures measure(int workloads, Options o, PrintStream out) throws Exception {
        List<ObjectChange> objects = objects(workloads, o.podsPerWorkload(), o.nodes());
        // model: built as a batch of informer events
        TopologyModel model = new TopologyModel("bench");
        long t0 = System.nanoTime();
        model.apply(objects);
        double modelMs = (System.nanoTime() - t0) / 1e6;

        // first layout: the boxes ELK places (pods are grid cells, not ELK nodes)
        List<TopologyLayout.Item> items = new ArrayList<>();
        for (TopologyElement e : model.elements()) {
            if (!e.isPod() && !"Node".equals(e.kind())) {
                items.add(new TopologyLayout.Item(e, Sizes.width(e, model.podCount(e.id())), Sizes.height(e, model.podCount(e.id()))));
            }
        }
        List<TopologyEdge> edges = model.edges().stream().filter(e -> e.type() != EdgeType.ENDPOINT && !model.isContained(e.to())).toList();
        t0 = System.nanoTime();
        var boxes = TopologyLayout.layout(items, edges, Map.of());
        double layoutMs = (System.nanoTime() - t0) / 1e6;
        // the same without reusing the layout of components of one shape: every component its own ELK run
        t0 = System.nanoTime();
        TopologyLayout.layout(items, edges, Map.of(), false);
        double eachComponentMs = (System.nanoTime() - t0) / 1e6;

        // the canvas, on screen, showing it all
        FxTasks tasks = FxTasks.onFxThread();
        CompletableFuture<TopologyCanvas> shown = new CompletableFuture<>();
        Platform.runLater(() -> {
            TopologyCanvas canvas = new TopologyCanvas(tasks);
            Stage stage = new Stage();
            stage.setScene(new Scene(canvas, 1280, 800));
            stage.show();
            canvas.setModel(model);
            shown.complete(canvas);
        });
        TopologyCanvas canvas = shown.get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (onFx(() -> canvas.layoutRunning() || canvas.boxes().size() < boxes.size()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        // one pod changes, again and again: model delta plus canvas restyle, on the FX thread
        List<Double> updates = new ArrayList<>();
        for (int i = 0; i < o.updates(); i++) {
            int w = i % workloads;
            String rs = "app-" + w + "-5d4f";
            // its readiness flips; it stays on the node it was put on
            GenericKubernetesResource changed = pod(rs + "-0", rs, "node-" + (w * o.podsPerWorkload() % o.nodes()), i % 2 == 1);
            updates.add(onFx(() -> {
                long s = System.nanoTime();
                TopologyDelta d = model.apply(ObjectChange.upsert("Pod", changed));
                canvas.apply(d);
                return (System.nanoTime() - s) / 1e6;
            }));
        }

        // frames: pan and zoom every pulse for o.seconds(); zoomed in on a part, then out over all of it
        List<Double> frames = new ArrayList<>();
        List<Double> draws = new ArrayList<>();
        double[] lastDraw = new double[1];
        // what a frame costs in CPU time (FX thread plus renderer thread), which other work on a
        // loaded machine does not stretch as it stretches the time between pulses
        List<Double> cpus = new ArrayList<>();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long renderer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("QuantumRenderer"))
                .mapToLong(Thread::threadId).findFirst().orElse(-1);
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> {
            canvas.onFrame(n -> lastDraw[0] = n / 1e6);
            canvas.zoomToFit();
            canvas.zoomBy(4);
            AnimationTimer timer = new AnimationTimer() {
                long last;
                long lastCpu;
                long start;
                int tick;

                @Override
                public void handle(long now) {
                    if (start == 0) {
                        start = now;
                    }
                    // the first second warms up (icons, glyph caches, JIT) and is not counted
                    boolean counted = now - start > WARM_UP_NANOS;
                    long cpu = threads.getCurrentThreadCpuTime() + (renderer < 0 ? 0 : Math.max(0, threads.getThreadCpuTime(renderer)));
                    if (last != 0 && counted) {
                        frames.add((now - last) / 1e6);
                        draws.add(lastDraw[0]);
                        cpus.add((cpu - lastCpu) / 1e6);
                    }
                    last = now;
                    lastCpu = cpu;
                    tick++;
                    canvas.panBy(Math.sin(tick / 20.0) * 14, Math.cos(tick / 27.0) * 10);
                    canvas.zoomBy(1 + Math.sin(tick / 15.0) * 0.03);
                    if (now - start > WARM_UP_NANOS + TimeUnit.SECONDS.toNanos(o.seconds())) {
                        stop();
                        done.countDown();
                    }
                }
            };
            timer.start();
        });
        done.await(o.seconds() + 60L, TimeUnit.SECONDS);
        Platform.runLater(() -> ((Stage) canvas.getScene().getWindow()).close());
        tasks.close();
        double[] f = frames.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] u = updates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] dr = onFx(() -> draws.stream().mapToDouble(Double::doubleValue).sorted().toArray());
        double[] cp = onFx(() -> cpus.stream().mapToDouble(Double::doubleValue).sorted().toArray());
        int over = (int) Arrays.stream(f).filter(x -> x > 16).count();
        int pods = workloads * o.podsPerWorkload();
        return new Figures(workloads, pods, modelMs, layoutMs, eachComponentMs, pct(u, 50), pct(u, 95), pct(f, 50), pct(f, 95),
                f.length == 0 ? 0 : f[f.length - 1], over, f.length, pct(dr, 95), pct(cp, 50), pct(cp, 95));
    }

    static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }
}
