/**
 * The ResourceQuota controller: keeps each quota's {@code status.hard} and {@code status.used}
 * computed from the objects of its namespace. Admission charges new objects to the quota at once;
 * this controller returns usage when objects go away or pods finish, and recomputes everything
 * every five minutes.
 */
package dev.berth.core.controller.resourcequota;
