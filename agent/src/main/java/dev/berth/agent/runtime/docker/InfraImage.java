package dev.berth.agent.runtime.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The infra (pause) image as a {@code docker load}-able tar: {@code manifest.json}, the image
 * config and one layer holding {@code /pause} ({@link PauseProgram}). Everything in it is fixed
 * (no timestamps), so the same program gives the same image id, and the tag is derived from it:
 * {@code berth-pause:<first 12 hex digits of the image id>}. No registry serves that name, so it
 * is never pulled by accident.
 *
 * @param reference the tag, e.g. {@code berth-pause:3f2a...}
 * @param imageId   {@code sha256:} of the config, as {@code docker image inspect} reports it
 * @param tar       the {@code docker load} input
 */
public record InfraImage(String reference, String imageId, byte[] tar) {
    public static final String REPOSITORY = "berth-pause";
    /** Keys sorted: the bytes, and so the image id and tag, must not depend on map iteration order. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** Builds the image for a Go architecture name ({@code amd64}, {@code arm64}). */
    public static InfraImage build(String goArch) {
        try {
            byte[] program = PauseProgram.forArchitecture(goArch);
            byte[] layer = tar(Map.of("pause", program), 0755);
            String layerDigest = sha256(layer);

            Map<String, Object> config = new LinkedHashMap<>();
            config.put("architecture", goArch);
            if (goArch.equals("arm64")) {
                config.put("variant", "v8");
            }
            config.put("os", "linux");
            config.put("created", "1970-01-01T00:00:00Z");
            config.put("config", Map.of("Entrypoint", List.of("/pause"), "Labels",
                    Map.of("dev.berth.image", "infra")));
            config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + layerDigest)));
            config.put("history", List.of(Map.of("created", "1970-01-01T00:00:00Z",
                    "created_by", "berth: generated pause program (dev.berth.agent.runtime.docker.PauseProgram)")));
            byte[] configJson = JSON.writeValueAsBytes(config);
            String configDigest = sha256(configJson);
            String reference = REPOSITORY + ":" + configDigest.substring(0, 12);

            List<Map<String, Object>> manifest = List.of(Map.of(
                    "Config", configDigest + ".json",
                    "RepoTags", List.of(reference),
                    "Layers", List.of(layerDigest + "/layer.tar")));
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(configDigest + ".json", configJson);
            files.put(layerDigest + "/layer.tar", layer);
            files.put("manifest.json", JSON.writeValueAsBytes(manifest));
            return new InfraImage(reference, "sha256:" + configDigest, tar(files, 0644));
        } catch (IOException e) {
            throw new UncheckedIOException("could not build the infra image", e);
        }
    }

    private static byte[] tar(Map<String, byte[]> files, int mode) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                String name = f.getKey();
                int slash = name.lastIndexOf('/');
                if (slash > 0) {
                    TarArchiveEntry dir = new TarArchiveEntry(name.substring(0, slash + 1));
                    dir.setMode(040755);
                    dir.setModTime(0);
                    tar.putArchiveEntry(dir);
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(f.getValue().length);
                e.setMode(0100000 | mode);
                e.setModTime(0);
                e.setUserId(0);
                e.setGroupId(0);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
