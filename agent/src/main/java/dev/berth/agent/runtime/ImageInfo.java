package dev.berth.agent.runtime;

import java.util.List;

/** An image present on the node, as Node.status.images lists them. */
public record ImageInfo(String id, List<String> names, long sizeBytes) {
    public ImageInfo {
        names = List.copyOf(names);
    }
}
