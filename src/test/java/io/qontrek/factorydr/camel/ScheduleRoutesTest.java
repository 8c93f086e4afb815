package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.schedule.Schedules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * routes/schedules.camel.yaml makes one trigger route per scheduled flow from its template, under the
 * ids operators stop over JMX (schedule-&lt;flow&gt;), each on the cron the start-up catch-up reads too
 * (factory.schedule.&lt;flow&gt;.cron). ServeSchedulesTest and ServeRouteEditsTest run them in serve.
 */
class ScheduleRoutesTest {
    @Test
    void everyScheduledFlowHasItsTemplatedRouteOnItsCronProperty() throws Exception {
        List<RouteFiles.TemplatedRoute> routes = RouteFiles.templatedRoutes(Files.readString(Path.of("routes/schedules.camel.yaml")));
        assertThat(routes).extracting(RouteFiles.TemplatedRoute::routeId)
                .containsExactlyElementsOf(Schedules.FLOWS.stream().map(f -> "schedule-" + f).toList());
        for (RouteFiles.TemplatedRoute r : routes) {
            String flow = r.routeId().substring("schedule-".length());
            assertThat(r.template()).isEqualTo("schedule");
            assertThat(r.parameters()).as(r.routeId())
                    .isEqualTo(Map.of("flow", flow, "cron", "{{factory.schedule." + flow + ".cron}}"));
        }
    }
}
