package dev.berth.app.nodes;

import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.SshTarget;
import io.fabric8.kubernetes.api.model.Taint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddNodeFormTest {
    @TempDir
    Path dir;

    AddNodeForm form(String host, String user, String port, String key, String name, String labels, String taints) {
        return new AddNodeForm(host, user, port, key, name, labels, taints);
    }

    Path key() throws Exception {
        return Files.writeString(dir.resolve("id_ed25519"), "not parsed here");
    }

    @Test
    void aCompleteFormHasNoProblemsAndBecomesTheTargetAndTheRequest() throws Exception {
        AddNodeForm f = form(" Lab-3.local ", "pi", "2222", key().toString(), "", "room=b12,\n gpu=true", "dedicated=lab:NoSchedule, spot:PreferNoSchedule");
        assertThat(f.validate()).isEmpty();
        assertThat(f.nodeName()).isEqualTo("lab-3.local");
        SshTarget t = f.target();
        assertThat(t.hostName()).isEqualTo("Lab-3.local");
        assertThat(t.port()).isEqualTo(2222);
        assertThat(t.user()).isEqualTo("pi");
        assertThat(t.identities()).containsExactly(key());
        NodeInstaller.Request r = f.request(URI.create("https://10.0.0.1:6443"), 10250, Duration.ofMinutes(5));
        assertThat(r.nodeName()).isEqualTo("lab-3.local");
        assertThat(r.labels()).containsExactlyEntriesOf(Map.of("room", "b12", "gpu", "true"));
        assertThat(r.taints()).extracting(Taint::getKey, Taint::getValue, Taint::getEffect)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dedicated", "lab", "NoSchedule"),
                        org.assertj.core.groups.Tuple.tuple("spot", null, "PreferNoSchedule"));
    }

    @Test
    void anEmptyPortMeansTwentyTwoAndAGivenNameWinsLowercased() throws Exception {
        AddNodeForm f = form("10.1.2.3", "root", "", key().toString(), "Bench-1", "", "");
        assertThat(f.validate()).isEmpty();
        assertThat(f.portNumber()).isEqualTo(22);
        assertThat(f.nodeName()).isEqualTo("bench-1");
    }

    @Test
    void everyBadFieldIsNamedWithItsValueAndRule() {
        AddNodeForm f = form("", "", "70000", dir.resolve("missing").toString(), "Not_A_Name", "", "");
        assertThat(f.validate()).extracting(AddNodeForm.Problem::field).containsExactly("host", "user", "port", "key", "name");
        assertThat(f.validate().get(2).message()).isEqualTo("Invalid value: 70000: must be between 1 and 65535");
        assertThat(f.validate().get(3).message()).contains("missing").contains("no such file");
        assertThat(f.validate().get(4).message()).startsWith("Invalid value: \"not_a_name\": ");
        assertThat(form("h", "u", "ssh", "", "", "", "").validate()).extracting(Object::toString)
                .contains("port: Invalid value: \"ssh\": must be a number between 1 and 65535",
                        "key: Required value: a private key file whose public key the machine accepts");
        assertThat(form("bad host", "u", "", "", "", "", "").validate().getFirst().toString())
                .isEqualTo("host: Invalid value: \"bad host\": must be a host name or an IP address");
    }

    @Test
    void labelsAndTaintsAreCheckedAsTheApiServerChecksThem() throws Exception {
        String k = key().toString();
        assertThat(form("h", "u", "", k, "", "room", "").validate()).extracting(Object::toString)
                .containsExactly("labels: Invalid value: \"room\": must be KEY=VALUE");
        assertThat(form("h", "u", "", k, "", "bad key=x", "").validate().getFirst().field()).isEqualTo("labels");
        assertThat(form("h", "u", "", k, "", "a=" + "v".repeat(64), "").validate().getFirst().message()).contains("63");
        assertThat(form("h", "u", "", k, "", "", "gpu=yes:Sometimes").validate()).extracting(Object::toString)
                .containsExactly("taints: Unsupported value: \"Sometimes\" (taint gpu=yes:Sometimes): supported values:"
                        + " \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
        assertThat(form("h", "u", "", k, "", "", "gpu").validate().getFirst().message()).contains("KEY[=VALUE]:EFFECT");
        assertThat(AddNodeForm.parseTaints("a=b:NoExecute")).singleElement().extracting(Taint::getEffect).isEqualTo("NoExecute");
        assertThat(AddNodeForm.parseLabels(" ")).isEmpty();
    }

    @Test
    void anInvalidFormIsNotTurnedIntoATarget() {
        assertThatThrownBy(() -> form("", "u", "", "", "", "", "").target())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("host: Required value");
    }

    @Test
    void theServerIsKeptUnlessItIsLoopback() {
        URI remote = URI.create("https://192.168.5.1:6443");
        assertThat(NodeJob.serverTowards(remote, "127.0.0.1", 22)).isEqualTo(remote);
        URI loop = URI.create("https://127.0.0.1:6443");
        // towards a loopback host the loopback address is the only way there: kept
        assertThat(NodeJob.serverTowards(loop, "127.0.0.1", 22)).isEqualTo(loop);
    }

    @Test
    void stepsHaveTitles() {
        assertThat(NodeWizard.stepTitle(NodeInstaller.STEP_UPLOAD)).isEqualTo("Uploading the agent");
        assertThat(NodeWizard.stepTitle("preflight")).isEqualTo("Preflight");
    }
}
