package dev.berth.core.users;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersTest {
    @Test
    void acceptsLowerCaseNamesKnownRolesAndNamespaces() {
        assertThatCode(() -> Users.validate("ann.lee-2", "edit", "team-a")).doesNotThrowAnyException();
        assertThatCode(() -> Users.validate("bob", "cluster-admin", null)).doesNotThrowAnyException();
    }

    @Test
    void refusesBadInputNamingTheFieldTheValueAndTheRule() {
        assertThatThrownBy(() -> Users.validate("Ann", "view", null)).hasMessage("NAME: invalid value \"Ann\": must"
                + " consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric"
                + " character, at most 200");
        assertThatThrownBy(() -> Users.validate("system:admin", "view", null)).hasMessageStartingWith(
                "NAME: invalid value \"system:admin\"");
        assertThatThrownBy(() -> Users.validate("ann", "root", null))
                .hasMessage("--role: invalid value \"root\": must be one of view, edit, admin, cluster-admin");
        assertThatThrownBy(() -> Users.validate("ann", "view", "Team_A")).hasMessage("--namespace: invalid value"
                + " \"Team_A\": must be a DNS label (lower case alphanumeric characters or '-')");
    }
}
