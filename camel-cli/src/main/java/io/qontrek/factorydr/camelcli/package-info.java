/**
 * bin/camel: Camel's own CLI for the running service, from a classpath of its own (target/camel-cli/lib).
 * Invariant: nothing here is on factory-dr's classpath, and factory-dr's code is on none of this.
 */
package io.qontrek.factorydr.camelcli;
