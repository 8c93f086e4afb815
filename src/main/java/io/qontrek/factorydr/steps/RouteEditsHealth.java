package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.observe.Check;

/**
 * What healthz asks of the service's watch over the route files (camel/RouteEdits, bound as {@value
 * #BEAN} only in serve): a refused edit is an unhealthy check, naming the file and why.
 */
public interface RouteEditsHealth {
    String BEAN = "routeEdits";

    Check check();
}
