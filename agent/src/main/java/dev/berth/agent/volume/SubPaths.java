package dev.berth.agent.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** subPath resolution inside a volume; see {@link PodVolumes#resolveSubPath}. */
final class SubPaths {
    private SubPaths() {
    }

    static Path resolve(Path volume, String subPath) {
        if (subPath == null || subPath.isEmpty()) {
            return volume;
        }
        if (subPath.startsWith("/")) {
            throw new VolumeException("subPath: Invalid value: \"" + subPath + "\": must be a relative path");
        }
        for (String element : subPath.split("/")) {
            if (element.equals("..")) {
                throw new VolumeException("subPath: Invalid value: \"" + subPath + "\": must not contain '..'");
            }
        }
        try {
            Path root = volume.toRealPath();
            Path candidate = root.resolve(subPath).normalize();
            // the deepest part that exists must resolve inside the volume
            Path existing = candidate;
            while (!Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            Path real = existing.toRealPath();
            if (!real.startsWith(root)) {
                throw new VolumeException("subPath \"" + subPath + "\" resolves to " + real
                        + ", outside the volume " + volume + ": a subPath must stay inside its volume");
            }
            if (existing.equals(candidate)) {
                return real;
            }
            Path made = real.resolve(existing.relativize(candidate));
            Files.createDirectories(made);
            Path madeReal = made.toRealPath();
            if (!madeReal.startsWith(root)) {
                throw new VolumeException("subPath \"" + subPath + "\" resolves to " + madeReal
                        + ", outside the volume " + volume + ": a subPath must stay inside its volume");
            }
            return madeReal;
        } catch (IOException e) {
            throw new VolumeException("subPath \"" + subPath + "\" of " + volume + ": " + e.getMessage(), e);
        }
    }
}
