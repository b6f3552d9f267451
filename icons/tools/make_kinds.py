#!/usr/bin/env python3
"""Writes icons/kinds/*.svg: one icon per Kubernetes kind, all in one style.

Every kind icon is a rounded badge (24x24 viewBox) tinted with its category's colour and a
glyph drawn in currentColor, so the app can match the glyph to its theme's text colour.
Class-like kinds (IngressClass, StorageClass, CustomResourceDefinition) draw their glyph in a
dashed badge; cluster-wide variants of namespaced kinds (ClusterRole, ClusterRoleBinding) add
a filled dot in the badge's top right corner.

The SVG files are committed; run this script again after changing a glyph or a colour:
    python3 icons/tools/make_kinds.py
(An argument names another output folder; the icons module's tests use it to check that the
committed files are what the script writes.)
"""
import pathlib
import sys

# Category colours: mid-tone, so that the badge's outline keeps a contrast of at least 3:1 on
# a white background and on a near-black one (relative luminance between about 0.14 and 0.30;
# all of them sit near 0.2, which gives about 4:1 on both).
CATEGORIES = {
    "workload": "#3b7ddd",   # blue
    "runtime": "#0a87a8",    # cyan
    "network": "#138d5e",    # green
    "config": "#a87508",     # gold
    "storage": "#8b5cf6",    # violet
    "cluster": "#6b7a90",    # slate
    "access": "#e0445f",     # rose
    "events": "#c95f14",     # orange
    "extension": "#c03fd1",  # magenta
}

CYLINDER_TOP = '<ellipse cx="12" cy="7.5" rx="5.75" ry="2.25"/>'
CYLINDER_BODY = '<path d="M6.25 7.5v9c0 1.25 2.6 2.25 5.75 2.25s5.75-1 5.75-2.25v-9"/>'
GATE = '<path d="M14 5.75h3.75v12.5H14"/><path d="M5.75 12h8.5M11 8.75 14.25 12 11 15.25"/>'
KEY = '<circle cx="8.5" cy="13" r="2.75"/><path d="M11.25 13h6.5M15.25 13v2.5M17.75 13v2"/>'
LINK = ('<path d="M10.5 13.5l3-3"/>'
        '<path d="M9.25 11.25 7.9 12.6a2.75 2.75 0 0 0 3.9 3.9l1.35-1.35"/>'
        '<path d="M14.75 12.75l1.35-1.35a2.75 2.75 0 0 0-3.9-3.9L10.85 8.85"/>')
BRACES = ('<path d="M9.75 6H9.25a2 2 0 0 0-2 2v2.5L5.75 12l1.5 1.5V16a2 2 0 0 0 2 2h.5"/>'
          '<path d="M14.25 6h.5a2 2 0 0 1 2 2v2.5l1.5 1.5-1.5 1.5V16a2 2 0 0 1-2 2h-.5"/>')
DOT = '<circle cx="{x}" cy="{y}" r="{r}" fill="currentColor" stroke="none"/>'

def dot(x, y, r=1.6):
    return DOT.format(x=x, y=y, r=r)

# kind -> (file name, category, glyph, badge style: solid | dashed | cluster)
KINDS = [
    ("Pod", "pod", "workload",
     '<path d="M12 5.5 18 9v6l-6 3.5L6 15V9z"/><path d="M6 9l6 3.5L18 9M12 12.5v6"/>', "solid"),
    ("Deployment", "deployment", "workload",
     '<path d="M17.75 12a5.75 5.75 0 1 1-1.68-4.07"/><path d="M16.25 4.5v3.5h-3.5"/>'
     '<rect x="10" y="10" width="4" height="4" rx="1" fill="currentColor" stroke="none"/>', "solid"),
    ("ReplicaSet", "replicaset", "workload",
     '<rect x="9.5" y="5.5" width="9" height="9" rx="2"/><path d="M15 18.5H7.5a2 2 0 0 1-2-2V9"/>', "solid"),
    ("StatefulSet", "statefulset", "workload",
     '<path d="M10.5 7.5h7M10.5 12h7M10.5 16.5h7"/>' + dot(6.75, 7.5) + dot(6.75, 12) + dot(6.75, 16.5), "solid"),
    ("DaemonSet", "daemonset", "workload",
     # one copy on every node: a grid of filled blocks, crisp at 16 px
     '<rect x="6" y="6" width="5" height="5" rx="1" fill="currentColor" stroke="none"/>'
     '<rect x="13" y="6" width="5" height="5" rx="1" fill="currentColor" stroke="none"/>'
     '<rect x="6" y="13" width="5" height="5" rx="1" fill="currentColor" stroke="none"/>'
     '<rect x="13" y="13" width="5" height="5" rx="1" fill="currentColor" stroke="none"/>', "solid"),
    ("Job", "job", "workload", '<path d="M6 12.5l4 4 8-9"/>', "solid"),
    ("CronJob", "cronjob", "workload",
     '<circle cx="12" cy="12" r="6.25"/><path d="M12 8.5V12l2.5 2"/>', "solid"),
    ("Service", "service", "network",
     '<path d="M8.5 12h7M8.25 11l7-4M8.25 13l7 4"/>'
     + dot(7, 12, 2) + dot(16.75, 6.5) + dot(16.75, 12) + dot(16.75, 17.5), "solid"),
    ("Endpoints", "endpoints", "network",
     '<circle cx="12" cy="12" r="6"/>' + dot(12, 12, 2.25), "solid"),
    ("Ingress", "ingress", "network", GATE, "solid"),
    ("IngressClass", "ingressclass", "network", GATE, "dashed"),
    ("NetworkPolicy", "networkpolicy", "network",
     '<path d="M12 5.25 17.75 7.5v4.25c0 3.4-2.45 5.85-5.75 6.9-3.3-1.05-5.75-3.5-5.75-6.9V7.5z"/>', "solid"),
    ("ConfigMap", "configmap", "config",
     '<path d="M6 8h12M6 12h12M6 16h12"/>' + dot(9, 8, 2) + dot(15, 12, 2) + dot(10.5, 16, 2), "solid"),
    ("Secret", "secret", "config",
     '<rect x="6.5" y="11" width="11" height="7.5" rx="1.5"/><path d="M9 11V8.75a3 3 0 0 1 6 0V11"/>', "solid"),
    ("PersistentVolumeClaim", "persistentvolumeclaim", "storage",
     '<ellipse cx="12" cy="12.75" rx="5.5" ry="2"/>'
     '<path d="M6.5 12.75v4c0 1.1 2.45 2 5.5 2s5.5-.9 5.5-2v-4"/>'
     '<path d="M12 4.75v5M9.75 7.5 12 9.75l2.25-2.25"/>', "solid"),
    ("PersistentVolume", "persistentvolume", "storage",
     CYLINDER_TOP + CYLINDER_BODY + '<path d="M6.25 12c0 1.25 2.6 2.25 5.75 2.25s5.75-1 5.75-2.25"/>', "solid"),
    ("StorageClass", "storageclass", "storage",
     CYLINDER_TOP + CYLINDER_BODY + '<path d="M6.25 12c0 1.25 2.6 2.25 5.75 2.25s5.75-1 5.75-2.25"/>', "dashed"),
    ("Node", "node", "cluster",
     '<rect x="5.5" y="5.75" width="13" height="5" rx="1.5"/><rect x="5.5" y="13.25" width="13" height="5" rx="1.5"/>'
     + dot(8.5, 8.25, 1.1) + dot(8.5, 15.75, 1.1), "solid"),
    ("Namespace", "namespace", "cluster",
     '<path d="M6 9.5V7a1 1 0 0 1 1-1h2.5M14.5 6H17a1 1 0 0 1 1 1v2.5M18 14.5V17a1 1 0 0 1-1 1h-2.5'
     'M9.5 18H7a1 1 0 0 1-1-1v-2.5"/>' + dot(12, 12, 2), "solid"),
    ("ServiceAccount", "serviceaccount", "access",
     '<circle cx="12" cy="9" r="3"/><path d="M6.5 18.5c.6-3 2.8-4.5 5.5-4.5s4.9 1.5 5.5 4.5"/>', "solid"),
    ("Role", "role", "access", KEY, "solid"),
    ("ClusterRole", "clusterrole", "access", KEY, "cluster"),
    ("RoleBinding", "rolebinding", "access", LINK, "solid"),
    ("ClusterRoleBinding", "clusterrolebinding", "access", LINK, "cluster"),
    ("Event", "event", "events", '<path d="M13 5.25 7.5 13H12l-1 5.75L16.5 11H12z"/>', "solid"),
    ("HorizontalPodAutoscaler", "horizontalpodautoscaler", "events",
     '<path d="M12 7v10M5.75 12h3.5M14.75 12h3.5M8 9.75 5.75 12 8 14.25M16 9.75l2.25 2.25L16 14.25"/>', "solid"),
    ("CustomResourceDefinition", "customresourcedefinition", "extension", BRACES, "dashed"),
    ("CustomResource", "customresource", "extension", BRACES + dot(12, 12, 1.5), "solid"),
    ("Container", "container", "runtime",
     '<rect x="5" y="7" width="14" height="10" rx="1"/><path d="M8.5 9.75v4.5M12 9.75v4.5M15.5 9.75v4.5"/>', "solid"),
    ("Image", "image", "runtime",
     '<path d="M12 5.5 18.5 9 12 12.5 5.5 9z"/><path d="M5.5 13.75 12 17.25l6.5-3.5"/>', "solid"),
]

def badge(colour, style):
    dash = ' stroke-dasharray="2.6 2"' if style == "dashed" else ""
    # The outline covers 1.5 to 3 units from each edge: whole pixels at 16, 32 and 48 px.
    out = (f'  <rect x="2.25" y="2.25" width="19.5" height="19.5" rx="4.75" fill="{colour}" fill-opacity="0.16" '
           f'stroke="{colour}" stroke-width="1.5"{dash}/>\n')
    if style == "cluster":
        out += f'  <circle cx="19" cy="5" r="3" fill="{colour}"/>\n'
    return out

def svg(kind, category, glyph, style):
    colour = CATEGORIES[category]
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">\n'
            f'  <title>{kind}</title>\n'
            f'  <!-- Berth kind icon; category {category}; written by icons/tools/make_kinds.py -->\n'
            + badge(colour, style)
            + '  <g fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">\n'
            + f'    {glyph}\n  </g>\n</svg>\n')

def main():
    out = (pathlib.Path(sys.argv[1]) if len(sys.argv) > 1
           else pathlib.Path(__file__).resolve().parent.parent / "kinds")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.svg"):
        old.unlink()
    for kind, name, category, glyph, style in KINDS:
        (out / f"{name}.svg").write_text(svg(kind, category, glyph, style))
    print(f"wrote {len(KINDS)} icons to {out}")

if __name__ == "__main__":
    main()
