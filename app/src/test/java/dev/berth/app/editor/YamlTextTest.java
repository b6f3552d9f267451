package dev.berth.app.editor;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlTextTest {
    static GenericKubernetesResource secret() {
        GenericKubernetesResource s = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("Secret")
                .withNewMetadata().withName("db").withNamespace("default").withResourceVersion("42").withUid("u-1")
                .addNewManagedField().withManager("kubectl").endManagedField().endMetadata().build();
        s.setAdditionalProperty("data", Map.of("password", "c2VjcmV0"));
        return s;
    }

    @Test
    void hidesSecretValuesUntilRevealed() {
        String hidden = YamlText.forReading(secret(), false);
        assertThat(hidden).contains("password: " + YamlText.MASK).doesNotContain("c2VjcmV0").doesNotContain("managedFields");
        assertThat(YamlText.forReading(secret(), true)).contains("password: c2VjcmV0");
    }

    @Test
    void editingTextLeavesOutWhatTheServerManages() {
        String text = YamlText.forEditing(secret());
        assertThat(text).contains("name: db").doesNotContain("resourceVersion").doesNotContain("uid")
                .doesNotContain("managedFields");
    }

    @Test
    void parseErrorsNameTheLineAndTheRule() {
        assertThatThrownBy(() -> YamlText.parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n"))
                .isInstanceOf(YamlText.YamlSyntaxException.class)
                .satisfies(e -> assertThat(((YamlText.YamlSyntaxException) e).line()).isGreaterThan(3));
        assertThatThrownBy(() -> YamlText.parse("kind: ConfigMap\nmetadata:\n  name: a\n"))
                .hasMessage("apiVersion: Required value: every object names its apiVersion");
        assertThatThrownBy(() -> YamlText.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"))
                .hasMessage("metadata.name: Required value: name is required");
        assertThatThrownBy(() -> YamlText.parse(YamlText.forReading(secret(), false)))
                .hasMessageContaining("a value is still masked");
        assertThatThrownBy(() -> YamlText.parse("- a\n- b\n")).hasMessageContaining("must be one object");
    }

    @Test
    void findsTheLineOfAFieldPath() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  labels:
                    app: web
                spec:
                  replicas: -1
                  template:
                    spec:
                      containers:
                        - name: a
                          image: x
                        - name: b
                          image: ""
                """;
        assertThat(YamlPaths.lineOf(yaml, "spec.replicas")).isEqualTo(8);
        assertThat(YamlPaths.lineOf(yaml, "spec.template.spec.containers[1].image")).isEqualTo(15);
        assertThat(YamlPaths.lineOf(yaml, "metadata.labels[app]")).isEqualTo(6);
        // a missing field points at its nearest parent
        assertThat(YamlPaths.lineOf(yaml, "spec.selector")).isEqualTo(7);
        assertThat(YamlPaths.lineOf("a: [", "a")).isZero();
    }

    @Test
    void diffShowsOnlyTheChangedLinesWithContext() {
        List<String> d = Diffs.unified("live", "a: 1\nb: 2\nc: 3\n", "after", "a: 1\nb: 5\nc: 3\n");
        assertThat(d).contains("--- live", "+++ after", "-b: 2", "+b: 5");
        assertThat(Diffs.unified("live", "a: 1\n", "after", "a: 1\n")).isEmpty();
    }

    @Test
    void highlightsKeysStringsAndNumbers() {
        var spans = YamlHighlighter.highlight("name: \"web\"\nreplicas: 3 # three\n");
        List<String> styles = new java.util.ArrayList<>();
        spans.forEach(s -> styles.addAll(s.getStyle()));
        assertThat(styles).contains("yaml-key", "yaml-string", "yaml-number", "yaml-comment");
        assertThat(spans.length()).isEqualTo("name: \"web\"\nreplicas: 3 # three\n".length());
    }
}
