/**
 * Validation of create and update requests per kind, returning
 * {@link dev.berth.core.api.FieldError}s with Kubernetes' field paths and messages. The entry point
 * is {@link dev.berth.core.api.validation.Validator}; each {@code XxxValidation} class holds one
 * API area. {@link dev.berth.core.api.validation.CronSchedule} parses CronJob schedules.
 */
package dev.berth.core.api.validation;
