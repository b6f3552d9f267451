/**
 * The four Kubernetes PATCH bodies and server-side apply's field management, as pure functions
 * over Jackson trees. Nothing here changes its inputs; every failure is an
 * {@link dev.berth.core.api.ApiException} carrying the status Kubernetes answers with.
 * <ul>
 *   <li>{@link dev.berth.core.api.patch.JsonMergePatch}: {@code application/merge-patch+json}</li>
 *   <li>{@link dev.berth.core.api.patch.JsonPatch}: {@code application/json-patch+json}</li>
 *   <li>{@link dev.berth.core.api.patch.StrategicMergePatch}: {@code application/strategic-merge-patch+json},
 *       with a {@link dev.berth.core.api.patch.PatchSchema} from the fabric8 model</li>
 *   <li>{@link dev.berth.core.api.patch.ServerSideApply}: {@code application/apply-patch+yaml}, and the
 *       {@code metadata.managedFields} every write records</li>
 * </ul>
 */
package dev.berth.core.api.patch;
