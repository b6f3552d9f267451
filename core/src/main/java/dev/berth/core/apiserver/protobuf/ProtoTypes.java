package dev.berth.core.apiserver.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Index of the Kubernetes protobuf messages generated in io.kubernetes.client.proto, by API group, version and kind. */
final class ProtoTypes {
    private static final String[] OUTER_CLASSES = {
        "V1", "V1Admission", "V1Admissionregistration", "V1Apps", "V1Authentication", "V1Authorization",
        "V1Autoscaling", "V1Batch", "V1Certificates", "V1Networking", "V1Policy", "V1Rbac", "V1Scheduling",
        "V1Storage", "V1alpha1Imagepolicy", "V1alpha1Rbac", "V1alpha1Scheduling", "V1beta1Admission",
        "V1beta1Admissionregistration", "V1beta1Apiextensions", "V1beta1Apps", "V1beta1Authentication",
        "V1beta1Authorization", "V1beta1Batch", "V1beta1Certificates", "V1beta1Extensions", "V1beta1Policy",
        "V1beta1Rbac", "V1beta1Storage", "V1beta2Apps", "V2beta1Autoscaling", "V2beta2Autoscaling",
        // Present in newer releases of client-java-proto; skipped when absent.
        "V1Coordination", "V1Discovery", "V1Events", "V2Autoscaling", "V1Node", "V1Apiextensions",
        "V1Flowcontrol", "V1beta3Flowcontrol",
        "Meta", "Runtime", "IntStr", "Resource"};

    private static final Map<String, Descriptor> BY_FULL_NAME = index();

    private ProtoTypes() {
    }

    private static Map<String, Descriptor> index() {
        Set<FileDescriptor> files = new HashSet<>();
        Deque<FileDescriptor> queue = new ArrayDeque<>();
        for (String name : OUTER_CLASSES) {
            try {
                Class<?> outer = Class.forName("io.kubernetes.client.proto." + name);
                queue.add((FileDescriptor) outer.getMethod("getDescriptor").invoke(null));
            } catch (ReflectiveOperationException | LinkageError e) {
                // not generated in this version of client-java-proto
            }
        }
        while (!queue.isEmpty()) {
            FileDescriptor f = queue.pop();
            if (files.add(f)) {
                queue.addAll(f.getDependencies());
            }
        }
        Map<String, Descriptor> out = new HashMap<>();
        for (FileDescriptor f : files) {
            for (Descriptor d : f.getMessageTypes()) {
                out.put(d.getFullName(), d);
            }
        }
        return Map.copyOf(out);
    }

    /** The proto package Kubernetes generates for an API group and version. */
    static String protoPackage(String group, String version) {
        if (group.equals("apiextensions.k8s.io")) {
            return "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions." + version;
        }
        if (group.equals("meta.k8s.io")) {
            return "k8s.io.apimachinery.pkg.apis.meta." + version;
        }
        String dir = group.isEmpty() ? "core" : group.split("\\.", 2)[0];
        return "k8s.io.api." + dir + "." + version;
    }

    static Optional<Descriptor> find(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        return Optional.ofNullable(BY_FULL_NAME.get(protoPackage(group, version) + "." + kind));
    }
}
