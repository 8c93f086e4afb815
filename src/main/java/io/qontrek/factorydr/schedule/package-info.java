/**
 * The service's schedules: which flow runs when (a Quartz cron per flow, one time zone), whether a
 * run was missed while the service was down, and the properties that let the trigger routes start
 * only in {@code serve}. Invariant: a command-line run never starts a schedule.
 */
package io.qontrek.factorydr.schedule;
