package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandStackTest {
    private final DraftSet drafts = new DraftSet(LiveObjects.none());
    private final CommandStack stack = new CommandStack(drafts);

    @Test
    void undoAndRedoStepThroughEveryEdit() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.replicas(web, 3));
        stack.execute(new AddSidecar(web, "busybox:1.36.1"));
        assertThat(stack.undoName()).contains("Add container busybox:1.36.1 to deployment/nginx");

        assertThat(stack.undo()).isTrue();
        assertThat(containers(web)).isEqualTo(1);
        assertThat(replicas(web)).isEqualTo(3);
        assertThat(stack.undo()).isTrue();
        assertThat(replicas(web)).isEqualTo(1);
        assertThat(stack.undo()).isTrue();
        assertThat(drafts.isEmpty()).isTrue();
        assertThat(stack.undo()).isFalse();

        assertThat(stack.redo()).isTrue();
        assertThat(replicas(web)).isEqualTo(1);
        assertThat(stack.redo()).isTrue();
        assertThat(stack.redo()).isTrue();
        assertThat(replicas(web)).isEqualTo(3);
        assertThat(containers(web)).isEqualTo(2);
        assertThat(stack.redo()).isFalse();
    }

    @Test
    void aNewEditAfterUndoDropsTheRedoHistory() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.replicas(web, 3));
        stack.undo();
        assertThat(stack.canRedo()).isTrue();
        stack.execute(Edit.replicas(web, 5));
        assertThat(stack.canRedo()).isFalse();
        assertThat(replicas(web)).isEqualTo(5);
    }

    @Test
    void aRefusedCommandChangesNothingAndIsNotKept() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        GenericKubernetesResource before = drafts.object(web);
        Command<Void> halfDone = new Command<>() {
            @Override
            public String name() {
                return "half";
            }

            @Override
            public Void execute(DraftSet d) {
                new AddSidecar(web, "busybox:1.36.1").execute(d);
                new NewDeployment("default", "redis:7.4.1").execute(d);
                return Edit.replicas(web, -2).execute(d);
            }
        };
        assertThatThrownBy(() -> stack.execute(halfDone)).isInstanceOf(CompositionException.class);
        assertThat(drafts.object(web)).isEqualTo(before);
        assertThat(drafts.size()).isEqualTo(1);
        assertThat(stack.undoName()).contains("New Deployment from nginx:1.27.3");
    }

    @Test
    void aGestureIsUndoneAsOneStep() {
        stack.beginGesture("Drop nginx with a Service");
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.execute(Edit.ports(web, "nginx", List.of(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                .withContainerPort(80).build())));
        DraftKey svc = stack.execute(new NewObject("Service", "default", "web"));
        stack.execute(new ConnectService(svc, web));
        stack.endGesture();
        assertThat(drafts.size()).isEqualTo(2);
        assertThat(stack.undoName()).contains("Drop nginx with a Service");
        stack.undo();
        assertThat(drafts.isEmpty()).isTrue();
        assertThat(stack.canUndo()).isFalse();
        stack.redo();
        assertThat(drafts.size()).isEqualTo(2);
        assertThat(drafts.object(svc).<java.util.Map<String, String>>get("spec", "selector")).containsEntry("app", "nginx");
    }

    @Test
    void aCancelledGestureTakesBackItsCommands() {
        stack.execute(new NewDeployment("default", "redis:7.4.1"));
        stack.beginGesture("drag");
        stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.cancelGesture();
        assertThat(drafts.size()).isEqualTo(1);
        assertThat(stack.undoName()).contains("New Deployment from redis:7.4.1");
    }

    @Test
    void compoundCommandsAreOneStep() {
        stack.execute(Command.compound("two", List.of(new NewDeployment("default", "nginx:1.27.3"),
                new NewDeployment("default", "redis:7.4.1"))));
        assertThat(drafts.size()).isEqualTo(2);
        stack.undo();
        assertThat(drafts.isEmpty()).isTrue();
    }

    @Test
    void draftsAreNewModifiedOrUnchangedAgainstLive() {
        GenericKubernetesResource live = Objects2.generic(NewDeployment.build("default", "web", "nginx:1.27.3"));
        DraftSet d = new DraftSet(LiveObjects.of(List.of(live)));
        CommandStack s = new CommandStack(d);
        DraftKey key = DraftKey.of(live);
        s.execute(Edit.replicas(key, 4));
        assertThat(d.draft(key).state()).isEqualTo(Draft.State.MODIFIED);
        assertThat(d.draft(key).live()).isEqualTo(live);
        s.execute(Edit.replicas(key, 1));
        assertThat(d.draft(key).state()).isEqualTo(Draft.State.UNCHANGED);
        DraftKey fresh = s.execute(new NewDeployment("default", "redis:7.4.1"));
        assertThat(d.draft(fresh).state()).isEqualTo(Draft.State.NEW);
        s.execute(Edit.discard(key));
        assertThat(d.draft(key)).isNull();
        assertThat(d.object(key)).isEqualTo(live);
    }

    @Test
    void listenersHearEditsUndoAndRedo() {
        AtomicInteger heard = new AtomicInteger();
        drafts.addListener(heard::incrementAndGet);
        stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        stack.undo();
        stack.redo();
        assertThat(heard.get()).isEqualTo(3);
    }

    @Test
    void readsAreCopiesThatCannotChangeTheDrafts() {
        DraftKey web = stack.execute(new NewDeployment("default", "nginx:1.27.3"));
        GenericKubernetesResource copy = drafts.object(web);
        copy.getMetadata().setName("changed");
        assertThat(drafts.object(web).getMetadata().getName()).isEqualTo("nginx");
    }

    private int replicas(DraftKey k) {
        return ((Number) drafts.object(k).get("spec", "replicas")).intValue();
    }

    private int containers(DraftKey k) {
        return drafts.object(k).<List<?>>get("spec", "template", "spec", "containers").size();
    }
}
