package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestsTest {
    /** The shared corpus of real manifests (kubernetes/website examples); its INDEX.tsv lists the kinds of each file. */
    static final Path CORPUS = Path.of(System.getProperty("berth.corpus", "/work/shared/corpus"));

    @TempDir
    Path dir;

    @Test
    void everyManifestOfTheCorpusBecomesADraftWithItsKindsInOrder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(CORPUS.resolve("INDEX.tsv")), "no corpus at " + CORPUS);
        Manifests.Imported r = Manifests.readFolder(CORPUS.resolve("kubernetes-website-examples"), "corpus");
        List<String> lines = Files.readAllLines(CORPUS.resolve("INDEX.tsv"));
        int files = 0;
        for (String line : lines) {
            if (line.isBlank()) continue;
            files++;
            String[] cols = line.split("\t");
            String file = cols[0].substring("kubernetes-website-examples/".length());
            Manifests.Imported one = Manifests.read(Files.readString(CORPUS.resolve(cols[0])), file, "corpus");
            assertThat(one.warnings()).as(file).isEmpty();
            List<String> kinds = new ArrayList<>();
            one.objects().forEach(o -> {
                if (!kinds.contains(o.getKind())) kinds.add(o.getKind());
            });
            assertThat(kinds).as(file).containsExactlyElementsOf(Arrays.asList(cols[1].split(",")));
        }
        assertThat(files).isEqualTo(88);
        // namespaced objects without a namespace land in the one asked for; cluster-scoped ones have none
        assertThat(r.objects()).allSatisfy(o -> {
            if (ApplyOrder.namespaced(o.getKind())) {
                assertThat(o.getMetadata().getNamespace()).as(DraftKey.of(o).toString()).isNotBlank();
            } else {
                assertThat(o.getMetadata().getNamespace()).isNull();
            }
        });
        assertThat(r.objects()).anyMatch(o -> o.getKind().equals("Namespace"))
                .anyMatch(o -> "corpus".equals(o.getMetadata().getNamespace()))
                .anyMatch(o -> "kube-system".equals(o.getMetadata().getNamespace()));
        // the collisions the corpus README lists are reported, the last one kept
        assertThat(r.warnings()).contains("corpus/Pod/nginx appears more than once; the last one is kept",
                "corpus/StatefulSet/web appears more than once; the last one is kept");
        DraftSet drafts = new DraftSet(LiveObjects.none());
        new CommandStack(drafts).execute(new ImportDrafts("corpus", r.objects()));
        assertThat(drafts.size()).isEqualTo(r.objects().size());
    }

    @Test
    void documentsThatAreNotObjectsAreSkippedWithTheReason() {
        Manifests.Imported r = Manifests.read("""
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                ---
                # only a comment
                ---
                kind: Secret
                metadata: {name: b}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {generateName: job-}
                ---
                - just
                - a list
                ---
                apiVersion: v1
                kind: List
                items:
                  - {apiVersion: v1, kind: Service, metadata: {name: s, namespace: other}, spec: {ports: [{port: 80}]}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: broken
                """, "mixed.yaml", "default");
        assertThat(r.objects()).extracting(DraftKey::of).containsExactly(
                new DraftKey("", "ConfigMap", "default", "a"), new DraftKey("", "Service", "other", "s"));
        assertThat(r.warnings()).hasSize(4);
        assertThat(r.warnings().get(0)).isEqualTo("mixed.yaml (document 3): apiVersion: Required value: every object names its apiVersion; skipped");
        assertThat(r.warnings().get(1)).isEqualTo("mixed.yaml (document 4): metadata.name: Required value (generateName \"job-\" needs a create, which an apply is not); skipped");
        assertThat(r.warnings().get(2)).isEqualTo("mixed.yaml (document 5): not an object (a YAML mapping), skipped");
        assertThat(r.warnings().get(3)).startsWith("mixed.yaml: not valid YAML: ").endsWith("; the rest of the file is skipped");
    }

    @Test
    void exportWritesOneStreamOrOneFilePerObjectInApplyOrderAndReadsBackTheSame() throws Exception {
        DraftSet drafts = new DraftSet(LiveObjects.none());
        CommandStack stack = new CommandStack(drafts);
        stack.execute(new AddTemplate(Template.DATABASE, "shop"));
        DraftKey ing = stack.execute(new NewObject("Ingress", "shop", "front"));
        stack.execute(new ConnectIngress(ing, new DraftKey("", "Service", "shop", "db"), "db.lab.example"));
        stack.execute(new NewObject("Namespace", "", "shop"));
        List<GenericKubernetesResource> objects = drafts.drafts().stream().map(Draft::object).toList();

        String yaml = Manifests.multiDocument(objects);
        Manifests.Imported back = Manifests.read(yaml, "export.yaml", "elsewhere");
        assertThat(back.warnings()).isEmpty();
        assertThat(back.objects()).extracting(o -> o.getKind()).containsExactly(
                "Namespace", "Secret", "PersistentVolumeClaim", "Deployment", "Service", "Ingress");
        assertThat(back.objects()).containsExactlyInAnyOrderElementsOf(objects);

        Path file = dir.resolve("out/all.yaml");
        Manifests.writeFile(file, objects);
        assertThat(Files.readString(file)).isEqualTo(yaml);

        List<Path> written = Manifests.writeFolder(dir.resolve("folder"), objects);
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly(
                "01-namespace-shop.yaml", "02-secret-shop-db-credentials.yaml", "03-persistentvolumeclaim-shop-db-data.yaml",
                "04-deployment-shop-db.yaml", "05-service-shop-db.yaml", "06-ingress-shop-front.yaml");
        Manifests.Imported folder = Manifests.readFolder(dir.resolve("folder"), "elsewhere");
        assertThat(folder.objects()).containsExactlyElementsOf(back.objects());
    }

    @Test
    void applyOrderPutsDependenciesFirst() {
        List<String> kinds = List.of("Ingress", "Service", "Deployment", "PersistentVolumeClaim", "Secret", "ConfigMap",
                "Namespace", "HorizontalPodAutoscaler", "CronJob", "ServiceAccount");
        List<String> sorted = kinds.stream().sorted(java.util.Comparator.comparingInt(ApplyOrder::rank)).toList();
        assertThat(sorted).containsExactly("Namespace", "ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim",
                "Deployment", "CronJob", "Service", "Ingress", "HorizontalPodAutoscaler");
    }
}
