package dev.berth.app.audit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuditControllerTest {
    @Test
    void anAuditEventBecomesARowWithUserVerbObjectAndResult() {
        String line = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"a1\","
                + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/apis/apps/v1/namespaces/lab/deployments\",\"verb\":\"create\","
                + "\"user\":{\"username\":\"ann\",\"groups\":[\"students\"]},\"impersonatedUser\":{\"username\":\"bob\"},"
                + "\"objectRef\":{\"resource\":\"deployments\",\"namespace\":\"lab\",\"name\":\"web\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"code\":403,\"reason\":\"Forbidden\"},"
                + "\"requestReceivedTimestamp\":\"2026-12-02T12:30:00.123456Z\",\"stageTimestamp\":\"2026-12-02T12:30:00.223456Z\"}";
        AuditController.Entry e = AuditController.parse(line);
        assertThat(e).isEqualTo(new AuditController.Entry("2026-12-02T12:30:00.223456Z", "ann (as bob)", "create",
                "deployments.apps lab/web", 403, "Forbidden"));
        assertThat(e.text()).contains("ann").contains("forbidden");
    }

    @Test
    void aCoreObjectHasNoGroupAndARequestWithoutObjectShowsItsPath() {
        AuditController.Entry pod = AuditController.parse("{\"kind\":\"Event\",\"verb\":\"delete\",\"user\":{\"username\":\"x\"},"
                + "\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"eviction\",\"namespace\":\"default\",\"name\":\"p\",\"apiGroup\":\"\"},"
                + "\"responseStatus\":{\"code\":201},\"stageTimestamp\":\"t\"}");
        assertThat(pod.object()).isEqualTo("pods/eviction default/p");
        assertThat(pod.result()).isEmpty();
        AuditController.Entry raw = AuditController.parse("{\"kind\":\"Event\",\"verb\":\"get\",\"requestURI\":\"/metrics\","
                + "\"user\":{\"username\":\"\"},\"responseStatus\":{\"code\":401,\"reason\":\"Unauthorized\"},\"stageTimestamp\":\"t\"}");
        assertThat(raw.object()).isEqualTo("/metrics");
        assertThat(raw.code()).isEqualTo(401);
    }

    @Test
    void linesThatAreNotEventsAreLeftOut() {
        assertThat(AuditController.parse("not json")).isNull();
        assertThat(AuditController.parse("{\"kind\":\"Status\"}")).isNull();
    }
}
