/**
 * Observing the service from outside: health checks (is factory-dr itself able to work), Prometheus
 * metrics (what the flows did, from the catalog), and alerts (one JSON line a problem, in the
 * runtime's alert log and optionally POSTed to a webhook). Everything here reads recorded state and
 * fails soft: an observer that throws must never fail the flow it observes.
 */
package io.qontrek.factorydr.observe;
