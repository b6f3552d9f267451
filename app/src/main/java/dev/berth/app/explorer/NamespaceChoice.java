package dev.berth.app.explorer;

import dev.berth.app.cluster.ClusterSession;
import dev.berth.app.cluster.Kinds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import javafx.scene.control.ComboBox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** The namespace choice of a view: "All namespaces", then every namespace by name. */
public final class NamespaceChoice {
    /** The first item, showing every namespace. */
    public static final String ALL = "All namespaces";

    private NamespaceChoice() {}

    /** The items for {@code namespaces}: {@link #ALL}, then the names sorted. */
    static List<String> items(Collection<GenericKubernetesResource> namespaces) {
        TreeSet<String> names = new TreeSet<>();
        for (GenericKubernetesResource n : namespaces) {
            names.add(n.getMetadata().getName());
        }
        List<String> items = new ArrayList<>(names.size() + 1);
        items.add(ALL);
        items.addAll(names);
        return items;
    }

    /** Fills {@code box} from the session's namespaces, keeping its choice ({@link #ALL} when none). */
    public static void refresh(ComboBox<String> box, ClusterSession session) {
        String chosen = box.getValue();
        box.getItems().setAll(items(session.cache(Kinds.NAMESPACE).list()));
        box.setValue(chosen == null ? ALL : chosen);
    }
}
