/**
 * The steps the route files name: thin adapters from an exchange (body, headers) to one mechanism of
 * another package and back, bound by name ({@link io.qontrek.factorydr.steps.FlowBeans#bindAll}),
 * one class per route file's concern (archive, restore, verify, offsite, retention, recovery,
 * signatures, API, heartbeat) and {@link io.qontrek.factorydr.steps.FailedRuns}, what every flow's
 * error handling records. Invariant: a step holds no flow logic (the routes do) and no mechanism
 * (its package does); it knows nothing of the application that runs it (camel/).
 */
package io.qontrek.factorydr.steps;
