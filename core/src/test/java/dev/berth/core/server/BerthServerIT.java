package dev.berth.core.server;

import dev.berth.core.datadir.DataDirInUseException;
import dev.berth.core.store.etcd.EtcdTestServer;
import dev.berth.core.testing.Kubectl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A whole control plane: data dir, PKI, store choice, restart, encryption at rest. */
class BerthServerIT {
    @TempDir
    Path dir;

    private BerthServer start(Path data) throws Exception {
        return new BerthServer(ServerOptions.defaults(data).withListen("127.0.0.1", 0), Clock.systemUTC()).start();
    }

    private Kubectl kubectl(BerthServer s) throws Exception {
        return new Kubectl(s.adminKubeconfig(), Files.createDirectories(dir.resolve("home")));
    }

    @Test
    void secretsNeverReachTheStoreFilesInPlaintext() throws Exception {
        Path data = dir.resolve("data");
        try (BerthServer s = start(data)) {
            Kubectl k = kubectl(s);
            Path f = dir.resolve("secret.yaml");
            Files.writeString(f, """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: db, annotations: {note: "hunter2-in-annotation"}}
                    stringData: {password: hunter2-plaintext}
                    """);
            k.run("apply", "-f", f.toString()).ok();   // client-side apply copies the data into an annotation
            assertThat(k.run("get", "secret", "db", "-o", "jsonpath={.data.password}").ok().out())
                    .isEqualTo(java.util.Base64.getEncoder().encodeToString("hunter2-plaintext".getBytes()));
        }
        byte[][] needles = {"hunter2-plaintext".getBytes(StandardCharsets.UTF_8),
                java.util.Base64.getEncoder().encode("hunter2-plaintext".getBytes(StandardCharsets.UTF_8)),
                "hunter2-in-annotation".getBytes(StandardCharsets.UTF_8)};
        List<Path> files;
        try (Stream<Path> w = Files.walk(data.resolve("store"))) {
            files = w.filter(Files::isRegularFile).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            for (byte[] needle : needles) {
                assertThat(indexOf(content, needle)).as("%s contains %s", file, new String(needle)).isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    @Test
    void aSecondServerOnTheSameDataDirIsRefusedNamingTheOwner() throws Exception {
        Path data = dir.resolve("data");
        try (BerthServer s = start(data)) {
            assertThatThrownBy(() -> start(data)).isInstanceOf(DataDirInUseException.class)
                    .hasMessage("data dir " + data.toAbsolutePath() + " is in use by PID " + ProcessHandle.current().pid());
            assertThat(s.address().getPort()).isPositive();
        }
    }

    @Test
    void objectsAndCredentialsSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        String kubeconfig;
        try (BerthServer s = start(data)) {
            kubectl(s).run("create", "configmap", "kept", "--from-literal=a=b").ok();
            kubeconfig = Files.readString(s.adminKubeconfig());
        }
        try (BerthServer s = start(data)) {
            Kubectl k = kubectl(s);
            assertThat(k.run("get", "configmap", "kept", "-o", "jsonpath={.data.a}").ok().out()).isEqualTo("b");
            // the same admin token still works (the port may differ, the credentials do not)
            assertThat(Files.readString(s.adminKubeconfig()).replaceAll("server: .*", ""))
                    .isEqualTo(kubeconfig.replaceAll("server: .*", ""));
        }
    }

    @Test
    void runsOnEtcdAndRefusesAReplicaWithAnotherCa() throws Exception {
        try (EtcdTestServer etcd = EtcdTestServer.startOrSkip()) {
            Path a = dir.resolve("a");
            ServerOptions opts = etcdOptions(a, etcd.endpoints());
            try (BerthServer s = new BerthServer(opts, Clock.systemUTC()).start()) {
                kubectl(s).run("create", "configmap", "on-etcd").ok();
                assertThat(kubectl(s).run("get", "configmap", "on-etcd", "-o", "name").ok().out()).contains("configmap/on-etcd");
                // a replica with its own (different) CA must not join
                ServerOptions other = etcdOptions(dir.resolve("b"), etcd.endpoints());
                assertThatThrownBy(() -> new BerthServer(other, Clock.systemUTC()).start())
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("differs from the one recorded in etcd");
                // one sharing the pki dir joins and sees the same objects
                ServerOptions shared = etcdOptions(dir.resolve("c"), etcd.endpoints(), a.resolve("pki"));
                try (BerthServer replica = new BerthServer(shared, Clock.systemUTC()).start()) {
                    assertThat(new Kubectl(replica.adminKubeconfig(), Files.createDirectories(dir.resolve("home2")))
                            .run("get", "configmap", "on-etcd", "-o", "name").ok().out()).contains("configmap/on-etcd");
                }
            }
        }
    }

    private static ServerOptions etcdOptions(Path data, List<String> endpoints) {
        return etcdOptions(data, endpoints, data.resolve("pki"));
    }

    private static ServerOptions etcdOptions(Path data, List<String> endpoints, Path pki) {
        ServerOptions d = ServerOptions.defaults(data).withListen("127.0.0.1", 0);
        return new ServerOptions(d.dataDir(), pki, d.listenHost(), d.listenPort(), "etcd", endpoints,
                d.clusterCidr(), d.serviceCidr(), d.nodePortMin(), d.nodePortMax(), d.eventTtl());
    }
}
