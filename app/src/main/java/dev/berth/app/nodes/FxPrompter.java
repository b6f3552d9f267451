package dev.berth.app.nodes;

import dev.berth.core.provision.Prompter;
import javafx.application.Platform;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Asks for a key's passphrase or a sudo password in a dialog, from a worker thread (which waits
 * for the answer). The answer goes to the connection and nowhere else: the field is cleared as
 * soon as it has been read, and nothing is written to disk or to the settings.
 */
public final class FxPrompter implements Prompter {
    private final Supplier<Window> owner;

    public FxPrompter(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public Optional<char[]> passphrase(String keyFile) {
        return ask("Passphrase", "The key " + keyFile + " is protected by a passphrase.", "Passphrase for " + keyFile);
    }

    @Override
    public Optional<char[]> sudoPassword(String userAtHost) {
        return ask("sudo password", "sudo on " + userAtHost + " needs the user's password to install the agent as root."
                + " It is used for this connection only.", "[sudo] password for " + userAtHost);
    }

    private Optional<char[]> ask(String title, String why, String prompt) {
        if (Platform.isFxApplicationThread()) {
            throw new IllegalStateException("secrets are asked from a worker thread, never the FX thread");
        }
        CompletableFuture<Optional<char[]>> answer = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                answer.complete(show(title, why, prompt));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    private Optional<char[]> show(String title, String why, String prompt) {
        PasswordField field = new PasswordField();
        field.setId("secret-field");
        field.setPromptText(prompt);
        Label text = new Label(why);
        text.setWrapText(true);
        Dialog<ButtonType> d = new Dialog<>();
        d.setTitle(title);
        d.setHeaderText(prompt);
        d.getDialogPane().setContent(new VBox(8, text, field));
        d.getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        d.getDialogPane().lookupButton(ButtonType.OK).setId("secret-ok");
        Window w = owner.get();
        if (w != null) {
            d.initOwner(w);
        }
        Platform.runLater(field::requestFocus);
        Optional<ButtonType> b = d.showAndWait();
        char[] secret = field.getText().toCharArray();
        field.clear();
        if (b.isEmpty() || b.get() != ButtonType.OK || secret.length == 0) {
            java.util.Arrays.fill(secret, '\0');
            return Optional.empty();
        }
        return Optional.of(secret);
    }
}
