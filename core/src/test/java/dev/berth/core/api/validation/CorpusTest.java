package dev.berth.core.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.defaulting.Defaulter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every manifest of the kubernetes/website examples corpus, defaulted, validates clean. */
class CorpusTest {

    static final Path CORPUS = dev.berth.core.testing.Corpus.examples();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.walk(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<HasMetadata> read(Path file) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) continue;
                objects.add((HasMetadata) SERIALIZATION.convertValue(doc, io.fabric8.kubernetes.api.model.KubernetesResource.class));
            }
        }
        return objects;
    }

    @Test
    void corpusHoldsEightyEightManifests() throws IOException {
        assertThat(manifests()).hasSize(88);
    }

    @TestFactory
    Stream<DynamicTest> everyManifestDefaultsAndValidatesClean() throws IOException {
        Defaulter defaulter = new Defaulter();
        Validator validator = new Validator();
        return manifests().stream().map(file -> DynamicTest.dynamicTest(CORPUS.relativize(file).toString(), () -> {
            List<HasMetadata> objects = read(file);
            assertThat(objects).isNotEmpty();
            for (HasMetadata obj : objects) {
                defaulter.apply(obj);
                if (obj instanceof Job job) {
                    job.getMetadata().setUid(UUID.randomUUID().toString());
                    defaulter.applyJobSelector(job);
                }
                List<FieldError> errs = validator.validateCreate(obj);
                assertThat(errs).as("%s %s/%s", obj.getKind(), obj.getMetadata().getNamespace(), obj.getMetadata().getName())
                        .isEmpty();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> defaultingTwiceChangesNothing() throws IOException {
        Defaulter defaulter = new Defaulter();
        return manifests().stream().map(file -> DynamicTest.dynamicTest(CORPUS.relativize(file).toString(), () -> {
            for (HasMetadata obj : read(file)) {
                defaulter.apply(obj);
                String once = SERIALIZATION.asJson(obj);
                defaulter.apply(obj);
                assertThat(SERIALIZATION.asJson(obj)).isEqualTo(once);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> unchangedUpdateOfEveryManifestIsValid() throws IOException {
        Defaulter defaulter = new Defaulter();
        Validator validator = new Validator();
        return manifests().stream().map(file -> DynamicTest.dynamicTest(CORPUS.relativize(file).toString(), () -> {
            List<HasMetadata> stored = read(file);
            List<HasMetadata> sent = read(file);
            for (int i = 0; i < stored.size(); i++) {
                HasMetadata old = stored.get(i);
                HasMetadata now = sent.get(i);
                String uid = UUID.randomUUID().toString();
                for (HasMetadata obj : List.of(old, now)) {
                    obj.getMetadata().setUid(uid);
                    defaulter.apply(obj);
                    if (obj instanceof Job job) defaulter.applyJobSelector(job);
                }
                assertThat(validator.validateUpdate(now, old)).as("%s %s", now.getKind(), now.getMetadata().getName()).isEmpty();
            }
        }));
    }
}
