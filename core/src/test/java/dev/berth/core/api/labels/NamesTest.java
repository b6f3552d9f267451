package dev.berth.core.api.labels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTest {

    @Test
    void acceptsLowercaseDnsLabels() {
        assertThat(Names.dns1123Label("my-name")).isEmpty();
        assertThat(Names.dns1123Label("123-abc")).isEmpty();
    }

    @Test
    void rejectsDnsLabelWithUppercaseUsingKubernetesWording() {
        assertThat(Names.dns1123Label("My-Name")).containsExactly(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                        + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                        + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    }

    @Test
    void rejectsDnsLabelLongerThan63Characters() {
        assertThat(Names.dns1123Label("a".repeat(64))).containsExactly("must be no more than 63 characters");
    }

    @Test
    void acceptsDottedSubdomainsButNotTrailingDots() {
        assertThat(Names.dns1123Subdomain("example.com")).isEmpty();
        assertThat(Names.dns1123Subdomain("example.com.")).singleElement().asString()
                .startsWith("a lowercase RFC 1123 subdomain must consist of").contains("(e.g. 'example.com', regex");
    }

    @Test
    void dns1035LabelsMustStartWithALetter() {
        assertThat(Names.dns1035Label("abc-123")).isEmpty();
        assertThat(Names.dns1035Label("1abc")).singleElement().asString().startsWith("a DNS-1035 label must consist");
    }

    @Test
    void qualifiedNamesTakeAnOptionalDnsPrefix() {
        assertThat(Names.qualifiedName("app.kubernetes.io/name")).isEmpty();
        assertThat(Names.qualifiedName("MyName")).isEmpty();
        assertThat(Names.qualifiedName("/name")).containsExactly("prefix part must be non-empty");
        assertThat(Names.qualifiedName("Example.com/name")).singleElement().asString().startsWith("prefix part a lowercase RFC 1123 subdomain");
        assertThat(Names.qualifiedName("a/b/c")).singleElement().asString().startsWith("a qualified name must consist of");
        assertThat(Names.qualifiedName("-bad")).singleElement().asString().startsWith("name part must consist of alphanumeric");
        assertThat(Names.qualifiedName("x".repeat(64))).contains("name part must be no more than 63 characters");
    }

    @Test
    void labelValuesMayBeEmptyButNotEndInDash() {
        assertThat(Names.labelValue("")).isEmpty();
        assertThat(Names.labelValue("my_value")).isEmpty();
        assertThat(Names.labelValue("bad-")).singleElement().asString().startsWith("a valid label must be an empty string");
    }

    @Test
    void environmentVariableNamesAllowAnyPrintableAsciiButEquals() {
        assertThat(Names.envVarName("MY_VAR")).isEmpty();
        assertThat(Names.envVarName("1st var-with.dots!")).isEmpty();
        assertThat(Names.envVarName("A=B")).containsExactly(
                "a valid environment variable name must consist only of printable ASCII characters other than '='");
        assertThat(Names.envVarName("tab\there")).hasSize(1);
        assertThat(Names.envVarName("")).containsExactly("environment variable name must be non-empty");
        assertThat(Names.envVarName("..x")).containsExactly("must not start with '..'");
    }

    @Test
    void cIdentifiersAreLettersDigitsAndUnderscores() {
        assertThat(Names.cIdentifier("MY_NAME")).isEmpty();
        assertThat(Names.cIdentifier("1abc")).singleElement().asString().startsWith("a valid C identifier must start");
    }

    @Test
    void portNamesFollowIanaServiceNames() {
        assertThat(Names.portName("http")).isEmpty();
        assertThat(Names.portName("web-8080")).isEmpty();
        assertThat(Names.portName("8080")).containsExactly("must contain at least one letter (a-z)");
        assertThat(Names.portName("a--b")).containsExactly("must not contain consecutive hyphens");
        assertThat(Names.portName("-ab")).containsExactly("must not begin or end with a hyphen");
        assertThat(Names.portName("HTTP")).contains("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        assertThat(Names.portName("a-very-long-port-name")).contains("must be no more than 15 characters");
    }

    @Test
    void pathSegmentNamesRejectSlashPercentAndDots() {
        assertThat(Names.pathSegmentName("system:controller")).isEmpty();
        assertThat(Names.pathSegmentName("..")).containsExactly("may not be '..'");
        assertThat(Names.pathSegmentName("a/b%")).containsExactly("may not contain '/'", "may not contain '%'");
    }

    @Test
    void configKeysAllowDotsDashesAndUnderscores() {
        assertThat(Names.configMapKey(".dockercfg")).isEmpty();
        assertThat(Names.configMapKey("game.properties")).isEmpty();
        assertThat(Names.configMapKey("a b")).singleElement().asString().startsWith("a valid config key must consist");
        assertThat(Names.configMapKey("..")).containsExactly("must not be '..'");
    }

    @Test
    void portNumbersRangeFromOneTo65535() {
        assertThat(Names.portNumber(1)).isEmpty();
        assertThat(Names.portNumber(65536)).containsExactly("must be between 1 and 65535, inclusive");
    }

    @Test
    void annotationSizeCountsKeysAndValuesInBytes() {
        assertThat(Names.annotationsSize(java.util.Map.of("ab", "cdé"))).isEqualTo(6);
    }
}
