/**
 * The command line (picocli). Each command resolves settings and secrets, runs a flow or a
 * mechanism, and maps the outcome to the exit status: 0 done and verified, 1 a check or the
 * operation failed, 2 bad usage or configuration. Errors are one line on stderr; the log file
 * holds the details.
 */
package io.qontrek.factorydr.cli;
