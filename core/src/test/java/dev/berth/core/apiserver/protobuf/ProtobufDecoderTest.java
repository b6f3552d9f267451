package dev.berth.core.apiserver.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.berth.core.api.ApiException;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1beta1Apiextensions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtobufDecoderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long GO_ZERO_TIME = -62135596800L;

    private static byte[] envelope(String apiVersion, String kind, MessageLite object) {
        return envelope(apiVersion, kind, object.toByteString(), "");
    }

    private static byte[] envelope(String apiVersion, String kind, ByteString raw, String contentType) {
        Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(raw)
                .setContentEncoding("")
                .setContentType(contentType)
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(unknown.toByteArray());
        return out.toByteArray();
    }

    private static Meta.ObjectMeta.Builder meta(String name) {
        // Go always writes non-pointer fields: empty strings and the zero creationTimestamp.
        return Meta.ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace("")
                .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(GO_ZERO_TIME).setNanos(0));
    }

    private static JsonNode fabric8(Object object) {
        return MAPPER.valueToTree(object);
    }

    @Test
    void decodesNamespaceLikeKubectlCreateNamespaceSendsIt() {
        V1.Namespace ns = V1.Namespace.newBuilder()
                .setMetadata(meta("dev").putLabels("team", "a"))
                .setSpec(V1.NamespaceSpec.newBuilder())
                .setStatus(V1.NamespaceStatus.newBuilder().setPhase(""))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "Namespace", ns));
        JsonNode expected = fabric8(new NamespaceBuilder().withNewMetadata().withName("dev")
                .addToLabels("team", "a").endMetadata().withNewSpec().endSpec().withNewStatus().endStatus().build());
        assertThat(json).isEqualTo(expected);
    }

    @Test
    void decodesConfigMapWithTextAndBinaryData() {
        V1.ConfigMap cm = V1.ConfigMap.newBuilder()
                .setMetadata(meta("cfg").setNamespace("dev"))
                .putData("b.conf", "x=1\n").putData("a.conf", "")
                .putBinaryData("blob", ByteString.copyFrom(new byte[] {0, (byte) 0xff, 1}))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "ConfigMap", cm));
        JsonNode expected = fabric8(new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("dev")
                .endMetadata().addToData("a.conf", "").addToData("b.conf", "x=1\n")
                .addToBinaryData("blob", Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 1})).build());
        assertThat(json).isEqualTo(expected);
        assertThat(json.path("data").fieldNames()).toIterable().containsExactly("a.conf", "b.conf");
    }

    @Test
    void decodesSecretDataAsBase64AndLeavesEmptyTypeUnset() {
        byte[] key = {(byte) 0x89, 'P', 'N', 'G', 0, 0x7f};
        V1.Secret secret = V1.Secret.newBuilder()
                .setMetadata(meta("tls"))
                .putData("key", ByteString.copyFrom(key))
                .putData("user", ByteString.copyFromUtf8("admin"))
                .setType("")
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "Secret", secret));
        JsonNode expected = fabric8(new SecretBuilder().withNewMetadata().withName("tls").endMetadata()
                .addToData("key", Base64.getEncoder().encodeToString(key))
                .addToData("user", Base64.getEncoder().encodeToString("admin".getBytes(StandardCharsets.UTF_8)))
                .build());
        assertThat(json).isEqualTo(expected);
        assertThat(json.has("type")).isFalse();
    }

    @Test
    void decodesDeploymentWithQuantitiesIntOrStringAndProbes() {
        V1.Container container = V1.Container.newBuilder()
                .setName("web").setImage("nginx:1.27").setImagePullPolicy("")
                .addPorts(V1.ContainerPort.newBuilder().setContainerPort(80).setProtocol("TCP"))
                .setResources(V1.ResourceRequirements.newBuilder()
                        .putLimits("cpu", Resource.Quantity.newBuilder().setString("500m").build())
                        .putRequests("memory", Resource.Quantity.newBuilder().setString("128Mi").build()))
                .setReadinessProbe(V1.Probe.newBuilder().setPeriodSeconds(5).setHandler(V1.ProbeHandler.newBuilder()
                        .setHttpGet(V1.HTTPGetAction.newBuilder().setPath("/healthz")
                                .setPort(IntStr.IntOrString.newBuilder().setType(1).setStrVal("http")))))
                .build();
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(meta("web").setNamespace("dev").putLabels("app", "web"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder()
                        .setReplicas(0)
                        .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "web"))
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("RollingUpdate")
                                .setRollingUpdate(V1Apps.RollingUpdateDeployment.newBuilder()
                                        .setMaxSurge(IntStr.IntOrString.newBuilder().setType(1).setStrVal("25%"))
                                        .setMaxUnavailable(IntStr.IntOrString.newBuilder().setType(0).setIntVal(1))))
                        .setTemplate(V1.PodTemplateSpec.newBuilder()
                                .setMetadata(meta("").putLabels("app", "web"))
                                .setSpec(V1.PodSpec.newBuilder().addContainers(container))))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("apps/v1", "Deployment", deployment));

        JsonNode expected = fabric8(new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace("dev").addToLabels("app", "web").endMetadata()
                .withNewSpec().withReplicas(0)
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString("25%")).withMaxUnavailable(new IntOrString(1)).endRollingUpdate()
                .endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.27")
                .addNewPort().withContainerPort(80).withProtocol("TCP").endPort()
                .withNewResources().withLimits(Map.of("cpu", new Quantity("500m")))
                .withRequests(Map.of("memory", new Quantity("128Mi"))).endResources()
                .withNewReadinessProbe().withPeriodSeconds(5).withNewHttpGet().withPath("/healthz")
                .withPort(new IntOrString("http")).endHttpGet().endReadinessProbe()
                .endContainer().endSpec().endTemplate()
                .endSpec().build());
        assertThat(json).isEqualTo(expected);
        assertThat(json.at("/spec/replicas").isInt()).isTrue();
        assertThat(json.at("/spec/strategy/rollingUpdate/maxUnavailable").isInt()).isTrue();
    }

    @Test
    void leavesOutZerosThatGoWritesForUnsetPortsButKeepsExplicitZeroReplicas() {
        V1.Service service = V1.Service.newBuilder().setMetadata(meta("web").setGeneration(0))
                .setSpec(V1.ServiceSpec.newBuilder().setType("NodePort").addPorts(V1.ServicePort.newBuilder()
                        .setName("").setPort(80).setProtocol("TCP").setNodePort(0)
                        .setTargetPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(0))))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "Service", service));
        assertThat(json.at("/spec/ports/0").toString()).isEqualTo("{\"protocol\":\"TCP\",\"port\":80}");
        assertThat(json.at("/metadata").has("generation")).isFalse();
        V1Apps.Deployment scaledDown = V1Apps.Deployment.newBuilder().setMetadata(meta("web"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0)).build();
        assertThat(ProtobufDecoder.decode(envelope("apps/v1", "Deployment", scaledDown)).at("/spec/replicas").isInt())
                .isTrue();
    }

    @Test
    void writesTimestampsInRfc3339AndMicroTimeWithMicroseconds() {
        V1.Event event = V1.Event.newBuilder()
                .setMetadata(meta("e1").setDeletionTimestamp(Meta.Time.newBuilder().setSeconds(1704164645L).setNanos(0)))
                .setEventTime(Meta.MicroTime.newBuilder().setSeconds(1704164645L).setNanos(123456000))
                .setFirstTimestamp(Meta.Time.newBuilder().setSeconds(GO_ZERO_TIME).setNanos(0))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "Event", event));
        assertThat(json.at("/metadata/deletionTimestamp").asText()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(json.at("/eventTime").asText()).isEqualTo("2024-01-02T03:04:05.123456Z");
        assertThat(json.has("firstTimestamp")).isFalse();
        assertThat(json.at("/metadata").has("creationTimestamp")).isFalse();
    }

    @Test
    void inlinesEmbeddedStructsAndEmbedsRawExtensions() {
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(meta("p"))
                .setSpec(V1.PodSpec.newBuilder().addVolumes(V1.Volume.newBuilder().setName("cfg")
                        .setVolumeSource(V1.VolumeSource.newBuilder().setConfigMap(V1.ConfigMapVolumeSource.newBuilder()
                                .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("app-config"))))))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("v1", "Pod", pod));
        assertThat(json.at("/spec/volumes/0").toString()).isEqualTo("{\"name\":\"cfg\",\"configMap\":{\"name\":\"app-config\"}}");

        V1Apps.ControllerRevision rev = V1Apps.ControllerRevision.newBuilder().setMetadata(meta("r1")).setRevision(2)
                .setData(Runtime.RawExtension.newBuilder().setRaw(ByteString.copyFromUtf8("{\"spec\":{\"x\":1}}")))
                .build();
        ObjectNode revJson = ProtobufDecoder.decode(envelope("apps/v1", "ControllerRevision", rev));
        assertThat(revJson.at("/data/spec/x").asInt()).isEqualTo(1);
        assertThat(revJson.at("/revision").asLong()).isEqualTo(2);
    }

    @Test
    void usesKubernetesJsonNamesInJsonSchemaProps() {
        V1beta1Apiextensions.JSONSchemaProps schema = V1beta1Apiextensions.JSONSchemaProps.newBuilder()
                .setType("object").setRef("#/definitions/x").setXKubernetesPreserveUnknownFields(true)
                .setXKubernetesIntOrString(false)
                .putProperties("size", V1beta1Apiextensions.JSONSchemaProps.newBuilder().setType("integer")
                        .setDefault(V1beta1Apiextensions.JSON.newBuilder().setRaw(ByteString.copyFromUtf8("3"))).build())
                .setAdditionalProperties(V1beta1Apiextensions.JSONSchemaPropsOrBool.newBuilder().setAllows(false))
                .build();
        V1beta1Apiextensions.CustomResourceDefinition crd = V1beta1Apiextensions.CustomResourceDefinition.newBuilder()
                .setMetadata(meta("widgets.example.com"))
                .setSpec(V1beta1Apiextensions.CustomResourceDefinitionSpec.newBuilder().setGroup("example.com")
                        .setValidation(V1beta1Apiextensions.CustomResourceValidation.newBuilder().setOpenAPIV3Schema(schema)))
                .build();
        ObjectNode json = ProtobufDecoder.decode(envelope("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", crd));
        JsonNode s = json.at("/spec/validation/openAPIV3Schema");
        assertThat(s.path("$ref").asText()).isEqualTo("#/definitions/x");
        assertThat(s.path("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(s.has("x-kubernetes-int-or-string")).isTrue();
        assertThat(s.path("additionalProperties").isBoolean()).isTrue();
        assertThat(s.at("/properties/size/default").asInt()).isEqualTo(3);
    }

    @Test
    void acceptsAnEnvelopeCarryingJson() {
        byte[] body = envelope("v1", "ConfigMap", ByteString.copyFromUtf8("{\"metadata\":{\"name\":\"c\"}}"),
                "application/json");
        assertThat(ProtobufDecoder.decode(body).toString())
                .isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}");
    }

    @Test
    void rejectsBodiesWithoutTheKubernetesPrefix() {
        assertThatThrownBy(() -> ProtobufDecoder.decode("{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class).hasMessageContaining("k8s\\x00")
                .extracting(e -> ((ApiException) e).code()).isEqualTo(400);
        assertThatThrownBy(() -> ProtobufDecoder.decode(new byte[] {'k', '8'}))
                .isInstanceOf(ApiException.class).hasMessageContaining("too short");
    }

    @Test
    void rejectsTruncatedMessagesAndUnknownKinds() {
        byte[] good = envelope("v1", "Namespace", V1.Namespace.newBuilder().setMetadata(meta("dev")).build());
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> ProtobufDecoder.decode(truncated))
                .isInstanceOf(ApiException.class).hasMessageContaining("protobuf body: invalid");
        assertThatThrownBy(() -> ProtobufDecoder.decode(envelope("example.com/v1", "Widget", ByteString.EMPTY, "")))
                .isInstanceOf(ApiException.class).hasMessageContaining("kind \"Widget\" in \"example.com/v1\"");
        assertThatThrownBy(() -> ProtobufDecoder.decode(envelope("", "", ByteString.EMPTY, "")))
                .isInstanceOf(ApiException.class).hasMessageContaining("typeMeta.apiVersion and typeMeta.kind");
        assertThatThrownBy(() -> ProtobufDecoder.decode(envelope("v1", "ConfigMap", ByteString.EMPTY, "text/yaml")))
                .isInstanceOf(ApiException.class).hasMessageContaining("contentType: Unsupported value: \"text/yaml\"");
    }

    @Test
    void formatsDurationsLikeGo() {
        assertThat(GoDuration.format(0)).isEqualTo("0s");
        assertThat(GoDuration.format(1_500_000_000L)).isEqualTo("1.5s");
        assertThat(GoDuration.format(3_723_000_000_000L)).isEqualTo("1h2m3s");
        assertThat(GoDuration.format(150_000_000L)).isEqualTo("150ms");
        assertThat(GoDuration.format(-2_000L)).isEqualTo("-2µs");
    }
}
