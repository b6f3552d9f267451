package dev.berth.core.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A built agent bundle: {@code berth-agent-VERSION-ARCH.tar.gz} and its manifest
 * {@code berth-agent-VERSION-ARCH.json} (version, architecture, the archive's SHA-256 and size;
 * the archive holds its own {@code manifest.json} with every file's SHA-256).
 */
public record Bundle(String version, String arch, Path archive, String sha256, long size, boolean bundledRuntime) {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a bundle manifest and checks that its archive is there with that checksum. */
    public static Bundle open(Path manifest) {
        try {
            JsonNode m = JSON.readTree(manifest.toFile());
            Path archive = manifest.resolveSibling(m.path("archive").asText());
            Bundle b = new Bundle(m.path("version").asText(), m.path("arch").asText(), archive, m.path("sha256").asText(),
                    m.path("size").asLong(), m.path("runtime").asBoolean());
            if (!Files.isRegularFile(archive)) {
                throw new ProvisionException("bundle manifest " + manifest + " names " + archive + ", which does not exist");
            }
            String actual = sha256(archive);
            if (!actual.equals(b.sha256())) {
                throw new ProvisionException("bundle " + archive + " has SHA-256 " + actual + " but its manifest says "
                        + b.sha256() + ": rebuild it (./mvnw -Pbundle package)");
            }
            return b;
        } catch (IOException e) {
            throw new ProvisionException("cannot read bundle manifest " + manifest + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
