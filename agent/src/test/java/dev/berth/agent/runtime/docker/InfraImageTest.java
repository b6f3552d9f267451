package dev.berth.agent.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InfraImageTest {
    @Test
    void isADockerLoadArchiveWithOneLayerHoldingThePauseProgram() throws IOException {
        InfraImage image = InfraImage.build("amd64");
        Map<String, byte[]> files = untar(image.tar());
        JsonNode manifest = new ObjectMapper().readTree(files.get("manifest.json"));
        assertThat(manifest.size()).isEqualTo(1);
        JsonNode entry = manifest.get(0);
        assertThat(entry.get("RepoTags").get(0).asText()).isEqualTo(image.reference());
        byte[] config = files.get(entry.get("Config").asText());
        assertThat("sha256:" + InfraImage.sha256(config)).isEqualTo(image.imageId());
        JsonNode cfg = new ObjectMapper().readTree(config);
        assertThat(cfg.get("architecture").asText()).isEqualTo("amd64");
        assertThat(cfg.get("config").get("Entrypoint").get(0).asText()).isEqualTo("/pause");

        byte[] layer = files.get(entry.get("Layers").get(0).asText());
        assertThat(cfg.get("rootfs").get("diff_ids").get(0).asText()).isEqualTo("sha256:" + InfraImage.sha256(layer));
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(layer))) {
            TarArchiveEntry pause = in.getNextEntry();
            assertThat(pause.getName()).isEqualTo("pause");
            assertThat(pause.getMode() & 0777).isEqualTo(0755);
            assertThat(in.readAllBytes()).isEqualTo(PauseProgram.forArchitecture("amd64"));
        }
    }

    @Test
    void isTheSameImageEveryTimeAndTaggedByItsContent() {
        InfraImage a = InfraImage.build("amd64");
        InfraImage b = InfraImage.build("amd64");
        InfraImage arm = InfraImage.build("arm64");
        assertThat(a.tar()).isEqualTo(b.tar());
        assertThat(a.reference()).isEqualTo(b.reference()).startsWith("berth-pause:")
                .isEqualTo("berth-pause:" + a.imageId().substring("sha256:".length(), "sha256:".length() + 12));
        assertThat(arm.reference()).isNotEqualTo(a.reference());
    }

    @Test
    void writesJsonWithSortedKeysSoTheIdDoesNotDependOnMapOrder() throws IOException {
        InfraImage image = InfraImage.build("arm64");
        Map<String, byte[]> files = untar(image.tar());
        ObjectMapper sorted = new ObjectMapper()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            if (f.getKey().endsWith(".json")) {
                Object tree = sorted.readValue(f.getValue(), Object.class);
                assertThat(new String(f.getValue())).as(f.getKey()).isEqualTo(sorted.writeValueAsString(tree));
            }
        }
    }

    private static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (!e.isDirectory()) {
                    files.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return files;
    }
}
