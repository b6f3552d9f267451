package dev.berth.app.topology.compose;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A composed draft set checked, diffed and applied on a real in-process API server, then read back. */
class ComposeApplyIT {
    @TempDir
    Path dir;

    @Test
    void composedDraftsAreCheckedDiffedAndAppliedDependenciesFirst() throws Exception {
        try (TestApiServer server = new TestApiServer(dir);
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build()) {
            DraftSet drafts = new DraftSet(ClusterSnapshot.of(client, "shop"));
            CommandStack stack = new CommandStack(drafts);
            DraftApply server2 = new DraftApply(client);

            stack.execute(new NewObject("Namespace", "", "shop"));
            stack.execute(new AddTemplate(Template.WEB_SERVER, "shop"));
            DraftKey cache = stack.execute(new NewDeployment("shop", "redis:7.4.1"));
            stack.execute(Edit.ports(cache, "redis", List.of(new ContainerPortBuilder().withContainerPort(6379).build())));
            stack.execute(new AddSidecar(cache, "busybox:1.36.1"));
            DraftKey settings = stack.execute(new NewObject("ConfigMap", "shop", "settings"));
            stack.execute(new AttachConfig(cache, "redis", settings, AttachConfig.Mode.VOLUME, null));
            DraftKey cacheSvc = stack.execute(new NewObject("Service", "shop", "cache"));
            stack.execute(new ConnectService(cacheSvc, cache));
            DraftKey ing = stack.execute(new NewObject("Ingress", "shop", "front"));
            stack.execute(new ConnectIngress(ing, new DraftKey("", "Service", "shop", "web"), "shop.lab.example"));
            // a Service never connected has no ports: the server says so, on that draft and field
            DraftKey lonely = stack.execute(new NewObject("Service", "default", "lonely"));

            Map<DraftKey, List<DraftSet.Problem>> problems = server2.validate(drafts.drafts());
            stack.validated(problems);
            assertThat(drafts.problems()).containsOnlyKeys(lonely);
            assertThat(drafts.problems(lonely)).extracting(DraftSet.Problem::field).contains("spec.ports");

            List<DraftApply.Change> changes = server2.diff(drafts.drafts());
            assertThat(changes.getFirst().key().kind()).isEqualTo("Namespace");
            DraftApply.Change web = changes.stream().filter(c -> c.key().equals(new DraftKey("apps", "Deployment", "shop", "web")))
                    .findFirst().orElseThrow();
            assertThat(web.state()).isEqualTo(Draft.State.NEW);
            assertThat(web.diff()).contains("+  replicas: 2");

            List<DraftApply.Result> results = server2.apply(drafts.drafts(), true);
            assertThat(results).extracting(r -> ApplyOrder.rank(r.key().kind())).isSorted();
            assertThat(results).filteredOn(r -> !r.ok()).extracting(DraftApply.Result::key).containsExactly(lonely);
            assertThat(results).filteredOn(DraftApply.Result::ok).hasSize(drafts.size() - 1);
            stack.applied(results);
            assertThat(drafts.drafts()).extracting(Draft::key).containsExactly(lonely);
            assertThat(drafts.problems(lonely)).isNotEmpty();
            assertThat(stack.canUndo()).isFalse();

            Deployment redis = client.apps().deployments().inNamespace("shop").withName("redis").get();
            assertThat(redis.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getName())
                    .containsExactly("redis", "busybox");
            assertThat(redis.getSpec().getTemplate().getSpec().getVolumes().getFirst().getConfigMap().getName()).isEqualTo("settings");
            assertThat(redis.getMetadata().getManagedFields()).anySatisfy(f -> assertThat(f.getManager()).isEqualTo("berth-app"));
            Service svc = client.services().inNamespace("shop").withName("cache").get();
            assertThat(svc.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "redis"));
            assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(6379));
            assertThat(svc.getSpec().getClusterIP()).isNotBlank();
            Ingress front = client.network().v1().ingresses().inNamespace("shop").withName("front").get();
            assertThat(front.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend().getService().getName())
                    .isEqualTo("web");
            assertThat(client.configMaps().inNamespace("shop").withName("settings").get()).isNotNull();

            // now live: an edit makes a modified draft whose diff and apply change only what was edited
            DraftSet again = new DraftSet(ClusterSnapshot.of(client, "shop"));
            CommandStack stack2 = new CommandStack(again);
            DraftKey webKey = new DraftKey("apps", "Deployment", "shop", "web");
            stack2.execute(Edit.replicas(webKey, 3));
            assertThat(again.draft(webKey).state()).isEqualTo(Draft.State.MODIFIED);
            List<DraftApply.Change> diff = server2.diff(again.drafts());
            assertThat(diff).singleElement().satisfies(c -> {
                assertThat(c.state()).isEqualTo(Draft.State.MODIFIED);
                assertThat(c.diff()).filteredOn(l -> l.startsWith("-") && !l.startsWith("---")).containsExactly("-  replicas: 2");
                assertThat(c.diff()).filteredOn(l -> l.startsWith("+") && !l.startsWith("+++")).containsExactly("+  replicas: 3");
            });
            List<DraftApply.Result> second = server2.apply(again.drafts(), false);
            assertThat(second).singleElement().satisfies(r -> assertThat(r.ok()).as(r.message()).isTrue());
            assertThat(client.apps().deployments().inNamespace("shop").withName("web").get().getSpec().getReplicas()).isEqualTo(3);
        }
    }
}
