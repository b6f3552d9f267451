/**
 * Server-side table output ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}): the
 * columns and cells Kubernetes' printers produce per resource, CRD printer columns, and the
 * {@code meta.k8s.io/v1 Table} document. Start at {@link dev.berth.core.apiserver.table.TableConvertors}
 * and {@link dev.berth.core.apiserver.table.Table}.
 */
package dev.berth.core.apiserver.table;
