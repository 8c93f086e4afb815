/**
 * The Camel application: boots Camel Main with the route files from routes/, binds the beans the
 * routes call (one class, {@link io.qontrek.factorydr.camel.FlowBeans}), and runs flows for the
 * command line. Invariant: flows live in routes/; Java here only adapts mechanisms to exchanges.
 */
package io.qontrek.factorydr.camel;
