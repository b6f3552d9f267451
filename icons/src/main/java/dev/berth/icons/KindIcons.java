package dev.berth.icons;

import java.net.URL;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The icon of each kind the app shows: which SVG on the classpath draws it. Kinds are matched
 * without regard to case; kubectl's short names (po, deploy, svc...) and EndpointSlice (drawn
 * like Endpoints) are aliases; any other kind gets the generic custom resource icon.
 */
public final class KindIcons {

  /** The icon that stands for kinds without one of their own: custom resources. */
  public static final String GENERIC = "CustomResource";

  /** Every kind with an icon of its own, in the order the contact sheet shows them. */
  public static final List<String> KINDS = List.of(
      "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
      "Service", "Endpoints", "Ingress", "IngressClass", "NetworkPolicy",
      "ConfigMap", "Secret",
      "PersistentVolumeClaim", "PersistentVolume", "StorageClass",
      "Node", "Namespace",
      "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
      "Event", "HorizontalPodAutoscaler",
      "CustomResourceDefinition", GENERIC,
      "Container", "Image");

  private static final Map<String, String> ALIASES = Map.ofEntries(
      Map.entry("endpointslice", "Endpoints"),
      Map.entry("po", "Pod"), Map.entry("deploy", "Deployment"), Map.entry("rs", "ReplicaSet"),
      Map.entry("sts", "StatefulSet"), Map.entry("ds", "DaemonSet"), Map.entry("cj", "CronJob"),
      Map.entry("svc", "Service"), Map.entry("ep", "Endpoints"), Map.entry("ing", "Ingress"),
      Map.entry("netpol", "NetworkPolicy"), Map.entry("cm", "ConfigMap"),
      Map.entry("pvc", "PersistentVolumeClaim"), Map.entry("pv", "PersistentVolume"),
      Map.entry("sc", "StorageClass"), Map.entry("no", "Node"), Map.entry("ns", "Namespace"),
      Map.entry("sa", "ServiceAccount"), Map.entry("ev", "Event"),
      Map.entry("hpa", "HorizontalPodAutoscaler"), Map.entry("crd", "CustomResourceDefinition"));

  private static final String BASE = "/dev/berth/icons/";

  private KindIcons() {}

  /**
   * The kind whose icon stands for {@code kind}: itself when it has one (whatever its case),
   * the kind an alias names, or {@link #GENERIC}.
   */
  public static String iconKind(String kind) {
    if (kind == null || kind.isBlank()) {
      return GENERIC;
    }
    String key = kind.strip().toLowerCase(Locale.ROOT);
    String alias = ALIASES.get(key);
    if (alias != null) {
      return alias;
    }
    for (String known : KINDS) {
      if (known.toLowerCase(Locale.ROOT).equals(key)) {
        return known;
      }
    }
    return GENERIC;
  }

  /** The SVG file name of a kind listed in {@link #KINDS}: its lower-case name. */
  public static String fileName(String iconKind) {
    return iconKind.toLowerCase(Locale.ROOT) + ".svg";
  }

  /** The SVG that draws {@code kind} (see {@link #iconKind}). */
  public static URL svg(String kind) {
    String name = fileName(iconKind(kind));
    return Objects.requireNonNull(KindIcons.class.getResource(BASE + "kinds/" + name),
        () -> "icon resource " + BASE + "kinds/" + name + " is missing from the classpath");
  }

  /** The SVG of the Berth app icon. */
  public static URL appIcon() {
    return Objects.requireNonNull(KindIcons.class.getResource(BASE + "berth.svg"),
        "icon resource " + BASE + "berth.svg is missing from the classpath");
  }
}
