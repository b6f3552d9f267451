package dev.berth.app.explorer;

import dev.berth.app.shell.DesktopFixture;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Rollout history, undo, pause and resume, and drain, against a real control plane with simulated nodes. */
class RolloutsAndDrainIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path dir;
    static DesktopFixture fixture;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        fixture = new DesktopFixture(dir, 2);
        client = fixture.client;
    }

    @AfterAll
    static void stop() {
        if (fixture != null) fixture.close();
    }

    static PodTemplateSpec template(String app, String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", app)).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage(image).endContainer()
                .withTerminationGracePeriodSeconds(0L).endSpec().build();
    }

    static void setImage(String name, String image) {
        client.apps().deployments().inNamespace("default").withName(name).edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build());
    }

    static String image(String name) {
        return client.apps().deployments().inNamespace("default").withName(name).get()
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
    }

    static void awaitRevisions(Rollouts rollouts, String kind, String name, int count) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(rollouts.history(kind, "default", name)).hasSize(count));
    }

    @Test
    void aDeploymentRollsBackToThePreviousRevisionOrAChosenOneAndNotWhilePaused() {
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withTemplate(template("web", "registry.test/web:1")).endSpec().build()).create();
        Rollouts rollouts = new Rollouts(client);
        awaitRevisions(rollouts, "Deployment", "web", 1);
        setImage("web", "registry.test/web:2");
        awaitRevisions(rollouts, "Deployment", "web", 2);
        setImage("web", "registry.test/web:3");
        awaitRevisions(rollouts, "Deployment", "web", 3);

        List<Rollouts.Revision> history = rollouts.history("Deployment", "default", "web");
        assertThat(history).extracting(Rollouts.Revision::number).containsExactly(1L, 2L, 3L);
        assertThat(history).extracting(Rollouts.Revision::images)
                .containsExactly("registry.test/web:1", "registry.test/web:2", "registry.test/web:3");
        assertThat(history).filteredOn(Rollouts.Revision::current).extracting(Rollouts.Revision::number).containsExactly(3L);

        assertThat(rollouts.undo("Deployment", "default", "web", 0)).isEqualTo("deployment.apps/web rolled back");
        assertThat(image("web")).isEqualTo("registry.test/web:2");
        // the rolled-back template keeps no ReplicaSet's hash label, or the selector would own nothing new
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get()
                .getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("pod-template-hash");
        // revision 2 comes back as the newest revision, as in Kubernetes
        await().atMost(WAIT).untilAsserted(() -> assertThat(rollouts.history("Deployment", "default", "web"))
                .filteredOn(Rollouts.Revision::current).extracting(Rollouts.Revision::images).containsExactly("registry.test/web:2"));

        assertThat(rollouts.undo("Deployment", "default", "web", 1)).isEqualTo("deployment.apps/web rolled back");
        assertThat(image("web")).isEqualTo("registry.test/web:1");
        assertThatThrownBy(() -> rollouts.undo("Deployment", "default", "web", 99))
                .hasMessage("unable to find specified revision 99 in history");
        assertThatThrownBy(() -> rollouts.undo("Deployment", "default", "web", -1))
                .hasMessageContaining("to-revision").hasMessageContaining("-1");

        assertThat(rollouts.pause("default", "web", true)).isEqualTo("deployment.apps/web paused");
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getPaused()).isTrue();
        assertThat(rollouts.pause("default", "web", true)).isEqualTo("deployment.apps/web is already paused");
        assertThatThrownBy(() -> rollouts.undo("Deployment", "default", "web", 0))
                .hasMessageStartingWith("you cannot rollback a paused deployment");
        assertThat(rollouts.pause("default", "web", false)).isEqualTo("deployment.apps/web resumed");
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getPaused()).isNotEqualTo(true);
    }

    @Test
    void aStatefulSetRollsBackThroughItsControllerRevisions() {
        client.apps().statefulSets().inNamespace("default").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withReplicas(1).withServiceName("db").withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector()
                .withTemplate(template("db", "registry.test/db:1")).endSpec().build()).create();
        Rollouts rollouts = new Rollouts(client);
        awaitRevisions(rollouts, "StatefulSet", "db", 1);
        assertThatThrownBy(() -> rollouts.undo("StatefulSet", "default", "db", 0)).hasMessage("no last revision to roll back to");
        client.apps().statefulSets().inNamespace("default").withName("db").edit(s -> new StatefulSetBuilder(s)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage("registry.test/db:2").endContainer().endSpec()
                .endTemplate().endSpec().build());
        awaitRevisions(rollouts, "StatefulSet", "db", 2);
        assertThat(rollouts.history("StatefulSet", "default", "db")).extracting(Rollouts.Revision::images)
                .containsExactly("registry.test/db:1", "registry.test/db:2");

        assertThat(rollouts.undo("StatefulSet", "default", "db", 0)).isEqualTo("statefulset.apps/db rolled back");
        assertThat(client.apps().statefulSets().inNamespace("default").withName("db").get().getSpec().getTemplate()
                .getSpec().getContainers().getFirst().getImage()).isEqualTo("registry.test/db:1");
    }

    @Test
    void drainingANodeEvictsItsPodsRefusesUnmanagedOnesAndHonoursDisruptionBudgets() throws Exception {
        String node = "sim-1";
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("drained").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "drained")).endSelector()
                .withTemplate(new PodTemplateSpecBuilder(template("drained", "registry.test/app:1")).editSpec()
                        .withNodeSelector(Map.of("kubernetes.io/hostname", node)).endSpec().build())
                .endSpec().build()).create();
        Pod bare = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("bare").endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("registry.test/app:1").endContainer()
                .withTerminationGracePeriodSeconds(0L).endSpec().build()).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("default").withLabel("app", "drained").list()
                .getItems()).hasSize(2).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));

        Drain drain = new Drain(client, Clock.systemUTC());
        Drain.Options options = Drain.Options.defaults().withPollInterval(Duration.ofMillis(200)).withTimeout(WAIT);
        // a pod no controller would replace is refused unless forced, and nothing is evicted
        Drain.Plan plan = drain.plan(node, options);
        assertThat(plan.errors()).containsExactly(
                "cannot delete Pods that declare no controller (use --force to override): default/bare");
        assertThatThrownBy(() -> drain.run(node, options, m -> {}))
                .isInstanceOf(Drain.DrainException.class).hasMessageContaining("default/bare");
        assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
        assertThat(client.pods().inNamespace("default").withLabel("app", "drained").list().getItems()).hasSize(2);

        // a budget that allows no disruption holds the drain until it times out (on a clock the test moves)
        client.policy().v1().podDisruptionBudget().inNamespace("default").resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("drained").endMetadata().withNewSpec().withMinAvailable(new IntOrString(2))
                .withNewSelector().withMatchLabels(Map.of("app", "drained")).endSelector().endSpec().build()).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.policy().v1().podDisruptionBudget().inNamespace("default")
                .withName("drained").get().getStatus()).isNotNull().satisfies(st -> assertThat(st.getCurrentHealthy()).isEqualTo(2)));
        FakeClock fake = new FakeClock();
        List<String> blocked = new ArrayList<>();
        Drain held = new Drain(client, fake, fake::advance);
        assertThatThrownBy(() -> held.run(node, options.withForce(true).withTimeout(Duration.ofSeconds(10))
                .withPollInterval(Duration.ofSeconds(5)), blocked::add))
                .isInstanceOf(Drain.DrainException.class).hasMessageContaining("did not complete within 10s");
        assertThat(blocked).anyMatch(m -> m.startsWith("error when evicting pods/\"drained-"));
        assertThat(client.pods().inNamespace("default").withLabel("app", "drained").list().getItems()).hasSize(2);

        // with the budget gone and --force, every pod leaves; the Deployment's come back elsewhere later
        client.policy().v1().podDisruptionBudget().inNamespace("default").withName("drained").delete();
        await().atMost(WAIT).until(() -> client.policy().v1().podDisruptionBudget().inNamespace("default").withName("drained").get() == null);
        List<String> progress = new ArrayList<>();
        drain.run(node, options.withForce(true), progress::add);
        assertThat(progress).first().isEqualTo("node/" + node + " cordoned");
        assertThat(progress).last().isEqualTo("node/" + node + " drained");
        assertThat(progress).anyMatch(m -> m.startsWith("pod/drained-") && m.endsWith(" evicted"));
        assertThat(client.pods().inNamespace("default").withName("bare").get()).isNull();
        assertThat(client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems())
                .noneMatch(p -> p.getMetadata().getUid().equals(bare.getMetadata().getUid())
                        || "drained".equals(p.getMetadata().getLabels().get("app")) && p.getMetadata().getDeletionTimestamp() == null);
    }
}
