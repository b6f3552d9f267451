package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldSelectorTest {

    @Test
    void parsesEqualsDoubleEqualsAndNotEquals() {
        FieldSelector s = FieldSelector.parse("metadata.name=web,spec.nodeName==n1,status.phase!=Running");
        assertThat(s.terms()).extracting(FieldSelector.Term::operator).containsExactly(
                FieldSelector.Operator.EQUALS, FieldSelector.Operator.DOUBLE_EQUALS, FieldSelector.Operator.NOT_EQUALS);
        assertThat(s.matches(Map.of("metadata.name", "web", "spec.nodeName", "n1", "status.phase", "Pending"))).isTrue();
        assertThat(s.matches(Map.of("metadata.name", "web", "spec.nodeName", "n1", "status.phase", "Running"))).isFalse();
    }

    @Test
    void missingFieldCountsAsEmptyValue() {
        assertThat(FieldSelector.parse("spec.nodeName=").matches(Map.of())).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName!=").matches(Map.of("spec.nodeName", "n1"))).isTrue();
    }

    @Test
    void unescapesCommasAndEqualsInValues() {
        FieldSelector s = FieldSelector.parse("metadata.name=a\\,b\\=c");
        assertThat(s.terms()).singleElement().extracting(FieldSelector.Term::value).isEqualTo("a,b=c");
        assertThat(s.toString()).isEqualTo("metadata.name=a\\,b\\=c");
    }

    @Test
    void rejectsTermWithoutOperator() {
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name"))
                .isInstanceOf(ApiException.class)
                .hasMessage("invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    }

    @Test
    void rejectsUnsupportedFields() {
        FieldSelector s = FieldSelector.parse("spec.foo=bar");
        assertThatThrownBy(() -> s.requireSupported(Set.of("metadata.name", "metadata.namespace")))
                .isInstanceOf(ApiException.class)
                .hasMessage("field label not supported: spec.foo");
    }

    @Test
    void exposesTheRequiredValueOfAField() {
        assertThat(FieldSelector.parse("metadata.name=web").requiredValue("metadata.name")).isEqualTo("web");
        assertThat(FieldSelector.parse("metadata.name!=web").requiredValue("metadata.name")).isNull();
    }
}
