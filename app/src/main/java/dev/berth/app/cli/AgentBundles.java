package dev.berth.app.cli;

import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.ProgressListener;

import java.io.IOException;
import java.nio.file.Path;

/** The agent bundle {@code berth node add} installs, for the app's node wizard. */
public final class AgentBundles {
    private AgentBundles() {}

    /** The bundle inside this installation, else the one built for this version in {@code dataDir}, built now if missing. */
    public static Bundle forThisVersion(Path dataDir, ProgressListener progress) throws IOException {
        return NodeProvisionOptions.bundle(null, dataDir, true, progress);
    }
}
