package dev.berth.app.shell;

import dev.berth.app.cluster.Kinds;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.image.PixelFormat;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Regenerates the README's screenshots from the running app: a real embedded control plane with
 * simulated nodes and a few workloads, the window rendered headless and saved as PNG. Written to
 * {@code target/screenshots} unless {@code -Dberth.screenshots.dir=../docs/images} says where:
 * <pre>./mvnw -pl core,agent,bench,app verify -Dit.test=ReadmeScreenshotsIT -Dberth.screenshots.dir=$PWD/docs/images</pre>
 */
@ExtendWith(ApplicationExtension.class)
class ReadmeScreenshotsIT {
    @TempDir
    static Path dir;
    static DesktopFixture cluster;
    MainWindow window;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new DesktopFixture(dir, 6);
        String[][] apps = {{"web", "front", "3"}, {"api", "back", "2"}, {"worker", "back", "4"}, {"cache", "data", "1"}};
        for (String[] a : apps) {
            cluster.client.apps().deployments().inNamespace("default")
                    .resource(DesktopAppIT.deployment(a[0], a[1], Integer.parseInt(a[2]))).create();
            cluster.client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(a[0])
                    .endMetadata().withNewSpec().addToSelector("app", a[0]).addNewPort().withPort(80).endPort().endSpec().build())
                    .create();
        }
        cluster.client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("web-settings").endMetadata().addToData("greeting", "hello").build()).create();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Start
    void start(Stage stage) {
        window = new MainWindow(stage, cluster.appContext());
        window.closeQuestion(why -> MainWindow.CloseChoice.STOP);
        stage.setWidth(1280);
        stage.setHeight(760);
        window.show();
    }

    @Test
    void capturesTheExplorerWithSimulatedNodes(FxRobot robot) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> window.explorer() != null);
        // the picture shows a cluster at rest: every Deployment available on the simulated nodes
        await().atMost(Duration.ofSeconds(120)).until(() -> cluster.client.apps().deployments().inNamespace("default")
                .list().getItems().stream().allMatch(d -> d.getStatus() != null
                        && java.util.Objects.equals(d.getStatus().getAvailableReplicas(), d.getSpec().getReplicas())));
        robot.interact(() -> window.show(Kinds.DEPLOYMENT));
        await().atMost(Duration.ofSeconds(30)).until(() -> DesktopAppIT.fx(() -> window.explorer().model().size()) == 4);
        robot.interact(() -> {
            var t = window.explorer().table();
            t.getSelectionModel().select(t.getItems().stream().filter(r -> r.name().equals("web")).findFirst().orElseThrow());
        });
        // the details pane lists the Deployment's ReplicaSet, even if its cache filled after the selection
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(DesktopAppIT.fx(() ->
                List.copyOf(robot.lookup("#details-children").<javafx.scene.control.ListView<String>>query().getItems())))
                .anySatisfy(child -> assertThat(child).startsWith("ReplicaSet web-")));
        Path out = Path.of(System.getProperty("berth.screenshots.dir", "target/screenshots"));
        Files.createDirectories(out);
        Path png = out.resolve("berth-app.png");
        WritableImage image = DesktopAppIT.fx(() -> window.scene().snapshot(null));
        save(image, png);
        assertThat(Files.size(png)).isGreaterThan(10_000);
        BufferedImage back = ImageIO.read(png.toFile());
        assertThat(back.getWidth()).isEqualTo((int) image.getWidth());
        robot.interact(() -> window.close(MainWindow.CloseChoice.STOP));
    }

    static void save(WritableImage image, Path png) throws java.io.IOException {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        PixelReader r = image.getPixelReader();
        r.getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        b.setRGB(0, 0, w, h, argb, 0, w);
        ImageIO.write(b, "png", png.toFile());
    }
}
