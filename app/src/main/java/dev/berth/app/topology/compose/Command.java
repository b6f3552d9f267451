package dev.berth.app.topology.compose;

import java.util.List;

/**
 * One edit of a draft set, undoable through the {@link CommandStack} that runs it. A command
 * reads the drafts, computes the new objects and puts them; when it finds the edit invalid it
 * throws a {@link CompositionException} and the stack puts back whatever it had changed.
 *
 * @param <T> what the command answers (the key of a new draft, for example)
 */
public interface Command<T> {
    /** What the edit does, for the Undo and Redo menu items: "Add container redis to deployment/web". */
    String name();

    T execute(DraftSet drafts);

    /** Several commands as one edit, undone together (one gesture). */
    static Command<Void> compound(String name, List<? extends Command<?>> commands) {
        List<Command<?>> list = List.copyOf(commands);
        return new Command<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Void execute(DraftSet drafts) {
                for (Command<?> c : list) {
                    c.execute(drafts);
                }
                return null;
            }
        };
    }
}
