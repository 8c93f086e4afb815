/**
 * The Camel application: boots Camel Main with the route files from routes/ ({@link
 * io.qontrek.factorydr.camel.Flows}, {@link io.qontrek.factorydr.camel.RouteFiles}), keeps the
 * service up ({@link io.qontrek.factorydr.camel.Service}: route edits, JMX, the control socket's
 * locks, the HTTP access rules) and runs its schedules ({@link io.qontrek.factorydr.camel.ScheduledRuns},
 * {@link io.qontrek.factorydr.camel.FlowGuard}). The steps the routes name are in
 * {@link io.qontrek.factorydr.steps}. Invariant: flows live in routes/; nothing here is a step.
 */
package io.qontrek.factorydr.camel;
