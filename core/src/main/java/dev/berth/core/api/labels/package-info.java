/**
 * Labels and selectors as Kubernetes defines them: {@link dev.berth.core.api.labels.LabelSelector}
 * (query syntax and {@code metav1.LabelSelector}), {@link dev.berth.core.api.labels.FieldSelector},
 * {@link dev.berth.core.api.labels.Labels} for label and annotation maps, and
 * {@link dev.berth.core.api.labels.Names}, the syntax rules of names, keys and values.
 */
package dev.berth.core.api.labels;
