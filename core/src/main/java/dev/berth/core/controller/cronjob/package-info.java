/**
 * The CronJob controller: creates a Job at each start time of a CronJob's schedule (in its time
 * zone), applying the concurrency policy, starting deadline, history limits and suspend, and
 * wakes itself for the next start time. Entry point: {@link dev.berth.core.controller.cronjob.CronJobs}.
 */
package dev.berth.core.controller.cronjob;
