package dev.berth.core.pki;

import static dev.berth.core.pki.PkiTesting.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    static final Identity ADMIN = new Identity("admin", List.of("system:masters"));
    @TempDir Path dir;

    @Test
    void newTokensAre32RandomBytesInBase64Url() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100; i++) tokens.add(Tokens.newToken());

        assertThat(tokens).hasSize(100).allSatisfy(token -> assertThat(token).matches("[A-Za-z0-9_-]{43}"));
    }

    @Test
    void authenticatesAnIssuedTokenAndNothingElse() {
        Tokens tokens = Tokens.open(dir.resolve("tokens.json"));

        String token = tokens.issue(ADMIN);

        assertThat(tokens.authenticate(token)).contains(ADMIN);
        assertThat(tokens.authenticate(token + "x")).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
    }

    @Test
    void keepsOnlyTheHashOnDiskReadableByTheOwner() throws Exception {
        Path file = dir.resolve("tokens.json");
        String token = Tokens.open(file).issue(ADMIN);

        String content = Files.readString(file);
        assertThat(content).doesNotContain(token).contains(Tokens.sha256(token)).contains("system:masters");
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void tokensSurviveARestart() {
        Path file = dir.resolve("tokens.json");
        String admin = Tokens.open(file).issue(ADMIN);
        Tokens.open(file).issue(new Identity("alice", List.of()));

        Tokens reopened = Tokens.open(file);

        assertThat(reopened.size()).isEqualTo(2);
        assertThat(reopened.authenticate(admin)).contains(ADMIN);
    }

    @Test
    void revokingAUserForgetsAllItsTokens() {
        Path file = dir.resolve("tokens.json");
        Tokens tokens = Tokens.open(file);
        String first = tokens.issue(ADMIN);
        String second = tokens.issue(ADMIN);
        String alice = tokens.issue(new Identity("alice", List.of("devs")));

        assertThat(tokens.revokeUser("admin")).isEqualTo(2);

        assertThat(tokens.authenticate(first)).isEmpty();
        assertThat(tokens.authenticate(second)).isEmpty();
        assertThat(tokens.authenticate(alice)).isPresent();
        assertThat(Tokens.open(file).authenticate(first)).isEmpty();
    }

    @Test
    void aMissingFileIsAnEmptyStoreAndIsNotCreatedUntilATokenIsIssued() {
        Path file = dir.resolve("tokens.json");

        assertThat(Tokens.open(file).size()).isZero();
        assertThat(file).doesNotExist();
    }

    @Test
    void namesTheBrokenEntryOfADamagedFile() throws Exception {
        Path file = dir.resolve("tokens.json");
        Files.writeString(file, """
                {"tokens": [{"sha256": "abc", "user": "admin", "groups": []}]}
                """);

        assertThatThrownBy(() -> Tokens.open(file))
                .isInstanceOf(PkiException.class)
                .hasMessage("token store " + file + ": tokens[0].sha256 \"abc\" is not 64 lowercase hex digits");
    }
}
