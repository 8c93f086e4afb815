/**
 * Observing the service from outside: health checks (is factory-dr itself able to work), Prometheus
 * metrics (what the flows did, from the catalog), alerts (one JSON line a problem, in the runtime's
 * alert log and optionally POSTed to a webhook) and heartbeat pings (start, success, fail per flow
 * run). Everything here reads recorded state and fails soft: an observer that throws must never fail
 * the flow it observes. Whatever leaves the process over HTTP goes through {@link
 * io.qontrek.factorydr.observe.Webhook}, which logs a URL only as scheme, host and port.
 */
package io.qontrek.factorydr.observe;
