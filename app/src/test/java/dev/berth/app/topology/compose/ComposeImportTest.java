package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ComposeImportTest {
    private static final KubernetesSerialization SER = new KubernetesSerialization();

    static Path resource(String name) {
        try {
            return Path.of(ComposeImportTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Deployment deployment(Manifests.Imported r, String name) {
        return r.objects().stream().filter(o -> o.getKind().equals("Deployment") && o.getMetadata().getName().equals(name))
                .findFirst().map(o -> SER.convertValue(o, Deployment.class)).orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static Service service(Manifests.Imported r, String name) {
        return r.objects().stream().filter(o -> o.getKind().equals("Service") && o.getMetadata().getName().equals(name))
                .findFirst().map(o -> SER.convertValue(o, Service.class)).orElse(null);
    }

    private static Container container(Manifests.Imported r, String name) {
        return deployment(r, name).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        c.getEnv().forEach(e -> out.put(e.getName(), e.getValue()));
        return out;
    }

    @Test
    void webDatabaseAndCacheBecomeDeploymentsServicesAndAClaim() throws Exception {
        Manifests.Imported r = ComposeImport.read(resource("shop/docker-compose.yml"), "shop");
        assertThat(r.objects()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Deployment/web", "Service/web", "Deployment/app", "Service/app", "Deployment/db", "Service/db",
                "PersistentVolumeClaim/db-data", "Deployment/cache", "Service/cache");
        assertThat(r.objects()).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("shop"));
        for (GenericKubernetesResource o : r.objects()) {
            if (!o.getKind().equals("PersistentVolumeClaim")) {
                assertThat(CompositionRulesTest.valid(o)).as(o.getKind() + "/" + o.getMetadata().getName()).isEmpty();
            }
        }

        Deployment web = deployment(r, "web");
        assertThat(web.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web"));
        assertThat(web.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "web");
        // labels from the merged anchor are kept as pod annotations (compose labels are free text)
        assertThat(web.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("com.example.team", "storefront");
        assertThat(container(r, "web").getPorts()).extracting(p -> p.getContainerPort()).containsExactly(80, 443);
        assertThat(service(r, "web").getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("tcp-8080:8080->80", "tcp-8443:8443->443");
        assertThat(service(r, "web").getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web"));

        Container app = container(r, "app");
        assertThat(app.getArgs()).containsExactly("gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi");
        assertThat(app.getCommand()).isEmpty();
        assertThat(env(app)).containsEntry("DATABASE_URL", "postgres://shop@db:5432/shop").containsEntry("DEBUG", "false")
                .containsEntry("SECRET_KEY", "not-a-real-secret").containsEntry("TIMEZONE", "Europe/Paris")
                .containsEntry("WORKERS", "4"); // environment wins over env_file
        assertThat(deployment(r, "app").getSpec().getReplicas()).isEqualTo(3);
        assertThat(app.getResources().getLimits()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("0.5"))
                .containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("512Mi"));
        assertThat(app.getResources().getRequests()).containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"));
        assertThat(service(r, "app").getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8000));

        // depends_on: recorded, and an init container waits for each dependency's Service name
        Deployment appD = deployment(r, "app");
        assertThat(appD.getMetadata().getAnnotations()).containsEntry(ComposeImport.DEPENDS_ON_ANNOTATION, "db,cache");
        assertThat(appD.getSpec().getTemplate().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("wait-for-db", "wait-for-cache");
        assertThat(appD.getSpec().getTemplate().getSpec().getInitContainers().getFirst().getCommand())
                .containsExactly("sh", "-c", "until nslookup db.shop.svc.cluster.local; do echo waiting for db.shop.svc.cluster.local; sleep 2; done");
        assertThat(appD.getSpec().getTemplate().getSpec().getInitContainers().getFirst().getImage()).isEqualTo(ComposeImport.WAIT_IMAGE);

        PodSpec db = deployment(r, "db").getSpec().getTemplate().getSpec();
        assertThat(db.getVolumes()).singleElement().satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("db-data"));
        assertThat(db.getContainers().getFirst().getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/postgresql/data"));
        assertThat(env(db.getContainers().getFirst())).containsOnlyKeys("POSTGRES_USER", "POSTGRES_DB");
        assertThat(service(r, "db").getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(5432));
        PersistentVolumeClaim claim = SER.convertValue(r.objects().stream().filter(o -> o.getKind().equals("PersistentVolumeClaim"))
                .findFirst().orElseThrow(), PersistentVolumeClaim.class);
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");

        Container cache = container(r, "cache");
        assertThat(cache.getArgs()).containsExactly("redis-server", "--maxmemory", "128mb", "--save", "");
        PodSpec cacheSpec = deployment(r, "cache").getSpec().getTemplate().getSpec();
        assertThat(cacheSpec.getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
        assertThat(cache.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/data"));

        assertThat(r.warnings()).containsExactly(
                "service db: environment: POSTGRES_PASSWORD has no value (compose would take it from the shell); skipped");
    }

    @Test
    void healthchecksBecomeLivenessAndReadinessExecProbes() throws Exception {
        Manifests.Imported r = ComposeImport.read(resource("health/compose.yaml"), "default");
        Container api = container(r, "api");
        assertThat(api.getLivenessProbe().getExec().getCommand()).containsExactly("wget", "-q", "-O-", "http://localhost:3000/health");
        assertThat(api.getLivenessProbe().getPeriodSeconds()).isEqualTo(90);
        assertThat(api.getLivenessProbe().getTimeoutSeconds()).isEqualTo(3); // 2500ms, rounded up
        assertThat(api.getLivenessProbe().getFailureThreshold()).isEqualTo(5);
        assertThat(api.getLivenessProbe().getInitialDelaySeconds()).isEqualTo(40);
        assertThat(api.getReadinessProbe()).isEqualTo(api.getLivenessProbe());
        assertThat(api.getPorts()).extracting(p -> p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("3000/TCP", "9000/UDP", "9001/UDP", "9002/UDP");

        Container worker = container(r, "worker");
        assertThat(worker.getCommand()).containsExactly("/usr/local/bin/worker");
        assertThat(worker.getArgs()).containsExactly("--queue", "high priority", "--concurrency", "2");
        assertThat(worker.getLivenessProbe().getExec().getCommand()).containsExactly("sh", "-c", "pgrep worker || exit 1");
        assertThat(worker.getLivenessProbe().getPeriodSeconds()).isEqualTo(30);
        assertThat(worker.getLivenessProbe().getTimeoutSeconds()).isEqualTo(30);
        assertThat(worker.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
        assertThat(worker.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(deployment(r, "worker").getSpec().getTemplate().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("wait-for-api");
        assertThat(service(r, "worker")).isNull();

        assertThat(container(r, "legacy").getLivenessProbe()).isNull();
        Container bad = container(r, "bad-name");
        assertThat(bad.getLivenessProbe().getExec().getCommand()).containsExactly("sh", "-c", "test -f /tmp/ready");
        assertThat(bad.getLivenessProbe().getPeriodSeconds()).isEqualTo(30);

        assertThat(r.objects()).noneMatch(o -> o.getMetadata().getName().equals("builder"));
        for (GenericKubernetesResource o : r.objects()) {
            assertThat(CompositionRulesTest.valid(o)).as(o.getKind() + "/" + o.getMetadata().getName()).isEmpty();
        }
        assertThat(r.warnings()).containsExactlyInAnyOrder(
                "networks: not translated: every pod reaches every Service of the namespace",
                "service Bad_Name: named bad-name in Kubernetes (names are DNS labels); other services must use that name to reach it",
                "service worker: restart: \"on-failure:3\": a Deployment's pods always restart (restartPolicy Always); make it a Job if it should run once",
                "service worker: depends_on: service \"missing\" is not in this file, ignored",
                "service legacy: privileged: not supported, ignored",
                "service legacy: cap_add: not supported, ignored",
                "service legacy: networks: ignored: every pod reaches every Service of the namespace",
                "service legacy: build: not supported, ignored (build and push the image, then set image:)",
                "service legacy: user: \"nobody\": only numeric user[:group] ids can be set (securityContext.runAsUser); ignored",
                "service Bad_Name: healthcheck.interval: \"soon\" is not a duration like 10s or 1m30s; 30s used",
                "service builder: image: Required value: Berth runs images; build the image (build: is not supported) and set image:; skipped");
    }

    @Test
    void namedVolumesBecomeClaimsBindMountsHostPathsAndTmpfsMemory() throws Exception {
        Path file = resource("volumes/docker-compose.yml");
        Manifests.Imported r = ComposeImport.read(file, "media");
        assertThat(r.objects()).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Deployment/files", "PersistentVolumeClaim/uploads", "PersistentVolumeClaim/shared", "Deployment/indexer");
        PodSpec files = deployment(r, "files").getSpec().getTemplate().getSpec();
        assertThat(files.getVolumes()).hasSize(5);
        assertThat(files.getVolumes().get(0).getHostPath().getPath()).isEqualTo(file.getParent().resolve("site").toString());
        assertThat(files.getVolumes().get(1).getPersistentVolumeClaim().getClaimName()).isEqualTo("uploads");
        assertThat(files.getVolumes().get(2).getEmptyDir()).isNotNull();
        assertThat(files.getVolumes().get(3).getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(files.getVolumes().get(3).getEmptyDir().getSizeLimit().toString()).isEqualTo("64Mi");
        assertThat(files.getVolumes().get(4).getPersistentVolumeClaim().getClaimName()).isEqualTo("shared");
        assertThat(files.getContainers().getFirst().getVolumeMounts()).extracting(m -> m.getMountPath() + ":" + m.getReadOnly())
                .containsExactly("/usr/share/nginx/html:true", "/uploads:null", "/var/cache/nginx:null", "/tmp:null", "/shared:true");
        PodSpec indexer = deployment(r, "indexer").getSpec().getTemplate().getSpec();
        assertThat(indexer.getVolumes()).extracting(v -> v.getPersistentVolumeClaim().getClaimName())
                .containsExactly("shared", "lab-archive"); // the external volume's claim is used, not made
        for (GenericKubernetesResource o : r.objects()) {
            if (o.getKind().equals("Deployment")) {
                assertThat(CompositionRulesTest.valid(o)).isEmpty();
            }
        }
        assertThat(r.warnings()).containsExactlyInAnyOrder(
                "service files: volumes: bind mount ./site became a hostPath volume (" + file.getParent().resolve("site")
                        + "): the files must be on whichever node runs the pod; prefer a ConfigMap or a claim",
                "volumes.shared: driver and driver_opts are not translated; the claim uses the default StorageClass");
    }

    @Test
    void notAComposeFileGivesAClearWarning() {
        assertThat(ComposeImport.parse("just: text", Path.of("."), "default").warnings())
                .containsExactly("services: Required value: a compose file has a \"services\" mapping");
        assertThat(ComposeImport.parse("services:\n  a: [\n", Path.of("."), "default").warnings())
                .singleElement().asString().startsWith("not valid YAML at line");
        assertThat(ComposeImport.parse("services:\n  a:\n    image: x:1\n  a:\n    image: y:1\n", Path.of("."), "default").warnings())
                .singleElement().asString().contains("duplicate key a");
    }

    @Test
    void durationsAndSizesFollowComposeSyntax() {
        assertThat(ComposeImport.durationNanos("1m30s")).isEqualTo(90_000_000_000L);
        assertThat(ComposeImport.durationNanos("1h")).isEqualTo(3_600_000_000_000L);
        assertThat(ComposeImport.durationNanos("1.5s")).isEqualTo(1_500_000_000L);
        assertThat(ComposeImport.durationNanos("250ms")).isEqualTo(250_000_000L);
        assertThat(ComposeImport.durationNanos("10")).isNull();
        assertThat(ComposeImport.durationNanos("10s later")).isNull();
        assertThat(ComposeImport.bytes("512m")).isEqualTo("512Mi");
        assertThat(ComposeImport.bytes("1.5GB")).isEqualTo("1.5Gi");
        assertThat(ComposeImport.bytes("100")).isEqualTo("100");
        assertThat(ComposeImport.bytes("lots")).isNull();
    }

    @Test
    void importedObjectsBecomeDraftsInOneUndoableStep() throws Exception {
        DraftSet drafts = new DraftSet(LiveObjects.none());
        CommandStack stack = new CommandStack(drafts);
        Manifests.Imported r = ComposeImport.read(resource("shop/docker-compose.yml"), "shop");
        List<DraftKey> keys = stack.execute(new ImportDrafts("docker-compose.yml", r.objects()));
        assertThat(keys).hasSize(9);
        assertThat(drafts.drafts()).allSatisfy(d -> assertThat(d.state()).isEqualTo(Draft.State.NEW));
        stack.undo();
        assertThat(drafts.isEmpty()).isTrue();
    }
}
