package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelSelectorTest {

    @Test
    void parsesEveryOperatorOfTheQuerySyntax() {
        LabelSelector s = LabelSelector.parse("a=b,c!=d,e in (x,y),f notin (z),g,!h");
        assertThat(s.requirements()).extracting(LabelSelector.Requirement::operator).containsExactly(
                LabelSelector.Operator.EQUALS, LabelSelector.Operator.NOT_EQUALS, LabelSelector.Operator.IN,
                LabelSelector.Operator.NOT_IN, LabelSelector.Operator.EXISTS, LabelSelector.Operator.DOES_NOT_EXIST);
        assertThat(s.toString()).isEqualTo("a=b,c!=d,e in (x,y),f notin (z),g,!h");
    }

    @Test
    void matchesLabelsThatSatisfyEveryRequirement() {
        LabelSelector s = LabelSelector.parse("a=b,c!=d,e in (x,y),f notin (z),g,!h");
        assertThat(s.matches(Map.of("a", "b", "e", "x", "g", ""))).isTrue();
        assertThat(s.matches(Map.of("a", "b", "e", "x", "g", "", "f", "z"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "e", "x", "g", "", "h", "1"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "e", "x"))).isFalse();
        assertThat(s.matches(Map.of("a", "b", "c", "d", "e", "x", "g", ""))).isFalse();
    }

    @Test
    void toleratesSpacesAndDoubleEquals() {
        LabelSelector s = LabelSelector.parse(" app == web , tier in ( front , back ) ");
        assertThat(s.matches(Map.of("app", "web", "tier", "back"))).isTrue();
    }

    @Test
    void acceptsPrefixedKeys() {
        LabelSelector s = LabelSelector.parse("app.kubernetes.io/name=web,!node-role.kubernetes.io/control-plane");
        assertThat(s.matches(Map.of("app.kubernetes.io/name", "web"))).isTrue();
        assertThat(s.matches(Map.of("app.kubernetes.io/name", "web", "node-role.kubernetes.io/control-plane", ""))).isFalse();
    }

    @Test
    void supportsGreaterAndLessThan() {
        LabelSelector s = LabelSelector.parse("gen>3,size<10");
        assertThat(s.matches(Map.of("gen", "4", "size", "9"))).isTrue();
        assertThat(s.matches(Map.of("gen", "3", "size", "9"))).isFalse();
        assertThat(s.matches(Map.of("gen", "x", "size", "9"))).isFalse();
    }

    @Test
    void emptySelectorMatchesEverything() {
        assertThat(LabelSelector.parse("").matches(Map.of())).isTrue();
        assertThat(LabelSelector.parse(null).isEmpty()).isTrue();
    }

    @Test
    void rejectsMissingOperatorWithKubernetesMessage() {
        assertThatThrownBy(() -> LabelSelector.parse("a b"))
                .isInstanceOf(ApiException.class)
                .hasMessage("found 'b', expected: in, notin, =, ==, !=, gt, lt")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(400));
    }

    @Test
    void rejectsDanglingComma() {
        assertThatThrownBy(() -> LabelSelector.parse("a=b,")).hasMessage("found '', expected: identifier after ','");
    }

    @Test
    void rejectsSetWithoutParenthesis() {
        assertThatThrownBy(() -> LabelSelector.parse("a in x")).hasMessage("found 'x', expected: '('");
    }

    @Test
    void rejectsUnclosedSet() {
        assertThatThrownBy(() -> LabelSelector.parse("a in (x")).hasMessage("found '', expected: ',' or ')'");
    }

    @Test
    void rejectsInvalidKey() {
        assertThatThrownBy(() -> LabelSelector.parse("-a=b"))
                .hasMessageStartingWith("unable to parse requirement: key: Invalid value: \"-a\": name part must consist of");
    }

    @Test
    void rejectsInvalidValue() {
        assertThatThrownBy(() -> LabelSelector.parse("a=b-"))
                .hasMessageStartingWith("unable to parse requirement: values[0][a]: Invalid value: \"b-\": a valid label must be");
    }

    @Test
    void rejectsNonIntegerGreaterThan() {
        assertThatThrownBy(() -> LabelSelector.parse("a>x"))
                .hasMessageContaining("for 'Gt', 'Lt' operators, the value must be an integer");
    }

    @Test
    void convertsMetav1SelectorWithExpressions() {
        var selector = new LabelSelectorBuilder().addToMatchLabels("app", "web")
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("front", "back").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .build();
        LabelSelector s = LabelSelector.from(selector);
        assertThat(s.matches(Map.of("app", "web", "tier", "front"))).isTrue();
        assertThat(s.matches(Map.of("app", "web", "tier", "front", "canary", "1"))).isFalse();
        assertThat(s.toString()).isEqualTo("app=web,canary,tier in (back,front)".replace("canary,", "!canary,"));
    }

    @Test
    void nullMetav1SelectorSelectsNothingAndEmptyOneEverything() {
        assertThat(LabelSelector.from(null).matches(Map.of())).isFalse();
        assertThat(LabelSelector.from(new io.fabric8.kubernetes.api.model.LabelSelector()).matches(Map.of("a", "b"))).isTrue();
    }

    @Test
    void validatesMetav1SelectorOperatorsAndValues() {
        var selector = new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("a").withOperator("In").endMatchExpression()
                .addNewMatchExpression().withKey("b").withOperator("Exists").withValues("x").endMatchExpression()
                .addNewMatchExpression().withKey("c").withOperator("Like").withValues("x").endMatchExpression()
                .build();
        assertThat(LabelSelector.validate(selector, "spec.selector")).containsExactly(
                FieldError.required("spec.selector.matchExpressions[0].values", "must be specified when `operator` is 'In' or 'NotIn'"),
                FieldError.forbidden("spec.selector.matchExpressions[1].values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
                FieldError.invalid("spec.selector.matchExpressions[2].operator", "Like", "not a valid selector operator"));
    }

    @Test
    void validatesLabelKeysAndValuesAtTheMapPath() {
        var errs = Labels.validate(Map.of("bad key", "ok", "good", "bad value"), "metadata.labels");
        assertThat(errs).extracting(FieldError::field).containsOnly("metadata.labels");
        assertThat(errs).extracting(FieldError::value).containsExactly("bad key", "bad value");
    }

    @Test
    void rejectsAnnotationsOver256KiB() {
        var errs = Labels.validateAnnotations(Map.of("big", "x".repeat(256 * 1024)), "metadata.annotations");
        assertThat(errs).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("FieldValueTooLong");
            assertThat(e.field()).isEqualTo("metadata.annotations");
            assertThat(e.detail()).isEqualTo("may not be more than 262144 bytes");
        });
    }
}
