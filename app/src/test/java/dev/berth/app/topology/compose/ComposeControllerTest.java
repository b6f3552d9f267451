package dev.berth.app.topology.compose;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComposeControllerTest {
    @Test
    void thePaletteOffersEveryTaggedImageTheNodesReportOnce() {
        io.fabric8.kubernetes.api.model.Node a = new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("a")
                .endMetadata().withNewStatus()
                .addNewImage().withNames("nginx@sha256:0123", "nginx:1.27.3").endImage()
                .addNewImage().withNames("<none>@<none>", "<none>:<none>").endImage()
                .endStatus().build();
        io.fabric8.kubernetes.api.model.Node b = new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("b")
                .endMetadata().withNewStatus()
                .addNewImage().withNames("redis:7.4.1").endImage()
                .addNewImage().withNames("nginx:1.27.3").endImage()
                .endStatus().build();
        io.fabric8.kubernetes.api.model.Node none = new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                .withName("c").endMetadata().build();
        assertThat(ComposeController.nodeImages(java.util.List.of(Objects2.generic(a), Objects2.generic(b), Objects2.generic(none))))
                .containsExactly("nginx:1.27.3", "redis:7.4.1");
    }

    @Test
    void portsTypedInTheInspectorAreNumbersWithAnOptionalProtocol() {
        assertThat(ComposeController.parsePorts("80, 53/udp  9090"))
                .extracting(p -> p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("80/TCP", "53/UDP", "9090/TCP");
        assertThat(ComposeController.parsePorts(" ")).isEmpty();
        assertThatThrownBy(() -> ComposeController.parsePorts("80, http"))
                .hasMessage("ports: Invalid value: \"http\": must be a port number, optionally followed by /TCP, /UDP or /SCTP");
    }
}
