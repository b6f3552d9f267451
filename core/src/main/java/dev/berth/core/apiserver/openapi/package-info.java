/**
 * OpenAPI v3 documents ({@code /openapi/v3} and {@code /openapi/v3/<group-version>}) generated from
 * the served kinds: fabric8 classes for built-ins, {@code openAPIV3Schema} for custom resources.
 * They let kubectl delegate validation to the server and let {@code kubectl explain} work.
 * {@code /openapi/v2} is not provided.
 */
package dev.berth.core.apiserver.openapi;
