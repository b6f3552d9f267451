package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The palette's templates: small, realistic sets of objects with images pinned to a version
 * (never {@code :latest}). {@link #objects} makes them under a base name; {@link AddTemplate}
 * picks a base name free for every object of the set.
 */
public enum Template {
    WEB_SERVER("Web server", "web", "nginx:1.27.3", "A Deployment of two nginx replicas and a Service on port 80"),
    DATABASE("Database", "db", "postgres:16.6", "PostgreSQL with its password in a Secret and its data on a 1Gi PersistentVolumeClaim, and a Service on 5432"),
    CACHE("Cache", "cache", "redis:7.4.1", "Redis limited to 128 MB (least recently used keys go first), and a Service on 6379"),
    WORKER("Worker", "worker", "python:3.12.7-slim", "Two replicas of a background worker without a Service"),
    CRON_JOB("Cron job", "backup", "busybox:1.36.1", "A CronJob at 03:00 every day that never overlaps itself");

    private final String title;
    private final String baseName;
    private final String image;
    private final String description;

    Template(String title, String baseName, String image, String description) {
        this.title = title;
        this.baseName = baseName;
        this.image = image;
        this.description = description;
    }

    public String title() {
        return title;
    }

    public String baseName() {
        return baseName;
    }

    public String image() {
        return image;
    }

    public String description() {
        return description;
    }

    /** The kind and name of each object the template makes under {@code name}. */
    List<DraftKey> keys(String namespace, String name) {
        return objects(namespace, name).stream().map(DraftKey::of).toList();
    }

    /** The template's objects, named after {@code name}, in {@code namespace}. */
    public List<HasMetadata> objects(String namespace, String name) {
        List<HasMetadata> out = new ArrayList<>();
        Map<String, String> labels = Map.of(NewDeployment.APP_LABEL, name);
        switch (this) {
            case WEB_SERVER -> {
                out.add(deployment(namespace, name, 2, new ContainerBuilder().withName("nginx").withImage(image)
                        .addNewPort().withName("http").withContainerPort(80).endPort()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/").withPort(new IntOrString("http")).endHttpGet()
                        .withPeriodSeconds(10).endReadinessProbe()
                        .withNewResources().withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
                        .withLimits(Map.of("memory", new Quantity("128Mi"))).endResources()
                        .build()));
                out.add(service(namespace, name, labels, 80, "http"));
            }
            case DATABASE -> {
                String secret = name + "-credentials";
                String claim = name + "-data";
                out.add(new SecretBuilder().withNewMetadata().withName(secret).withNamespace(namespace).withLabels(labels)
                        .endMetadata().withType("Opaque")
                        .withStringData(Map.of("POSTGRES_USER", "app", "POSTGRES_DB", "app", "POSTGRES_PASSWORD", password()))
                        .build());
                out.add(new PersistentVolumeClaimBuilder().withNewMetadata().withName(claim).withNamespace(namespace)
                        .withLabels(labels).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                        .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
                        .endSpec().build());
                Deployment d = deployment(namespace, name, 1, new ContainerBuilder().withName("postgres").withImage(image)
                        .addNewPort().withName("postgres").withContainerPort(5432).endPort()
                        .addNewEnvFrom().withNewSecretRef().withName(secret).endSecretRef().endEnvFrom()
                        .addNewEnv().withName("PGDATA").withValue("/var/lib/postgresql/data/pgdata").endEnv()
                        .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                        .withNewReadinessProbe().withNewExec().withCommand("pg_isready", "-U", "app").endExec()
                        .withPeriodSeconds(10).endReadinessProbe()
                        .withNewResources().withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")))
                        .withLimits(Map.of("memory", new Quantity("512Mi"))).endResources()
                        .build());
                // one writer for a ReadWriteOnce claim: the old pod goes before the new one starts
                d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder().withType("Recreate").build());
                d.getSpec().getTemplate().getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                        .withName("data").withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim().build()));
                out.add(d);
                out.add(service(namespace, name, labels, 5432, "postgres"));
            }
            case CACHE -> {
                out.add(deployment(namespace, name, 1, new ContainerBuilder().withName("redis").withImage(image)
                        .withArgs("--maxmemory", "128mb", "--maxmemory-policy", "allkeys-lru")
                        .addNewPort().withName("redis").withContainerPort(6379).endPort()
                        .withNewLivenessProbe().withNewTcpSocket().withPort(new IntOrString("redis")).endTcpSocket()
                        .withPeriodSeconds(10).endLivenessProbe()
                        .withNewReadinessProbe().withNewExec().withCommand("redis-cli", "ping").endExec()
                        .withPeriodSeconds(5).endReadinessProbe()
                        .withNewResources().withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("160Mi")))
                        .withLimits(Map.of("memory", new Quantity("192Mi"))).endResources()
                        .build()));
                out.add(service(namespace, name, labels, 6379, "redis"));
            }
            case WORKER -> out.add(deployment(namespace, name, 2, new ContainerBuilder().withName("worker").withImage(image)
                    .withCommand("python", "-u", "-c",
                            "import time\nwhile True:\n    print('waiting for work', flush=True)\n    time.sleep(30)\n")
                    .withNewResources().withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                    .withLimits(Map.of("memory", new Quantity("256Mi"))).endResources()
                    .build()));
            case CRON_JOB -> out.add(new CronJobBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                    .withLabels(labels).endMetadata()
                    .withNewSpec().withSchedule("0 3 * * *").withConcurrencyPolicy("Forbid")
                    .withSuccessfulJobsHistoryLimit(3).withFailedJobsHistoryLimit(1)
                    .withNewJobTemplate().withNewSpec().withBackoffLimit(2)
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().withRestartPolicy("OnFailure")
                    .addNewContainer().withName(name).withImage(image)
                    .withCommand("sh", "-c", "date; echo backup finished").endContainer()
                    .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build());
        }
        return out;
    }

    private static Deployment deployment(String namespace, String name, int replicas, io.fabric8.kubernetes.api.model.Container c) {
        Map<String, String> labels = Map.of(NewDeployment.APP_LABEL, name);
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withContainers(c).endSpec().endTemplate().endSpec().build();
    }

    private static HasMetadata service(String namespace, String name, Map<String, String> selector, int port, String target) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(selector).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector)
                .addNewPort().withName(target).withPort(port).withTargetPort(new IntOrString(target)).withProtocol("TCP").endPort()
                .endSpec().build();
    }

    private static String password() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
