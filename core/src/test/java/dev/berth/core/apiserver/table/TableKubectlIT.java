package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.core.apiserver.KubectlStub;
import dev.berth.core.apiserver.KubectlStub.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real kubectl renders our Table answers to {@code kubectl get}. */
class TableKubectlIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;
    private KubectlStub stub;

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final List<JsonNode> PODS = List.of(
            json("""
                    {'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-1','namespace':'default','creationTimestamp':'2024-05-01T11:55:00Z'},
                     'spec':{'nodeName':'n1','containers':[{'name':'a'}]},
                     'status':{'phase':'Running','podIPs':[{'ip':'10.42.0.5'}],'containerStatuses':[
                       {'name':'a','ready':true,'restartCount':2,'state':{'running':{}},
                        'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-05-01T11:58:00Z'}}}]}}
                    """),
            json("""
                    {'apiVersion':'v1','kind':'Pod','metadata':{'name':'init-2','namespace':'default','creationTimestamp':'2024-05-01T11:59:30Z'},
                     'spec':{'initContainers':[{'name':'i'}],'containers':[{'name':'a'}]},
                     'status':{'phase':'Pending','initContainerStatuses':[{'name':'i','restartCount':0,'state':{'running':{}}}]}}
                    """));

    @BeforeEach
    void start() throws IOException {
        assumeTrue(KubectlStub.kubectlInstalled(), "kubectl is not installed");
        stub = new KubectlStub(dir, request -> {
            if (request.method().equals("GET") && request.path().equals("/api/v1/namespaces/default/pods")
                    && request.accept() != null && request.accept().contains("as=Table")) {
                JsonNode table = Table.build(PODS, TableConvertors.forResource("", "pods"),
                        Table.IncludeObject.METADATA, json("{'resourceVersion':'12'}"), NOW);
                try {
                    return Optional.of(Response.json(200, MAPPER.writeValueAsBytes(table)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return Optional.empty();
        });
    }

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void kubectlGetPrintsTheServerColumns() throws Exception {
        List<String> lines = stub.kubectl("get", "pods").lines().toList();
        assertThat(lines.getFirst().split("\\s+")).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(lines.get(1).split("\\s{2,}")).containsExactly("web-1", "1/1", "Running", "2 (2m ago)", "5m");
        assertThat(lines.get(2).split("\\s{2,}")).containsExactly("init-2", "0/1", "Init:0/1", "0", "30s");
    }

    @Test
    void kubectlGetWideAddsPriorityColumns() throws Exception {
        List<String> lines = stub.kubectl("get", "pods", "-o", "wide").lines().toList();
        assertThat(lines.getFirst().split("\\s{2,}")).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE",
                "IP", "NODE", "NOMINATED NODE", "READINESS GATES");
        assertThat(lines.get(1)).contains("10.42.0.5", "n1");
    }
}
