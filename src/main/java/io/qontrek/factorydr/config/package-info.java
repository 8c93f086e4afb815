/**
 * Configuration: properties file, environment and command line resolved into one
 * {@link io.qontrek.factorydr.config.Settings}, the installation it is read from, the runtime's
 * directory layout, and the secrets. It depends on no module: each module checks its own settings,
 * all of them at start-up (camel.SettingsCheck). Invariant: a bad value stops the program before
 * anything is written, naming the property and the value; a secret value never enters Camel's properties, a log
 * line or an output; the configuration file and the route files come from the installation, never
 * from the working directory.
 */
package io.qontrek.factorydr.config;
