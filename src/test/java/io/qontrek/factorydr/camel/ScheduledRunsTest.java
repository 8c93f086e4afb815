package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import java.nio.file.Path;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scheduled run of a flow that is not started is recorded as such; a flow whose own step sends nowhere is not blamed on that. */
class ScheduledRunsTest {
    @TempDir Path tmp;

    @Test
    void aStepSendingWhereNothingConsumesIsTheFlowsFailureNotAStoppedFlow() throws Exception {
        Catalog catalog = new Catalog(tmp.resolve("catalog.db"));
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getComponent("direct", DirectComponent.class).setTimeout(50);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:backup-incremental").routeId("backup-incremental").to("direct:archive-stor"); // an edit's typo
                    from("direct:backup-full").routeId("backup-full").autoStartup(false).log("never");
                }
            });
            context.start();
            ScheduledRuns runs = new ScheduledRuns(catalog);

            assertThat(runs.run(context, "backup-incremental", "schedule")).isEqualTo(ScheduledRuns.Outcome.FAILED);
            assertThat(catalog.runs("backup-incremental")).as("the flow's error handler records it, once").isEmpty();

            assertThat(runs.run(context, "backup-full", "schedule")).isEqualTo(ScheduledRuns.Outcome.FAILED);
            assertThat(catalog.runs("backup-full")).singleElement().extracting(Catalog.RunRow::detail).asString()
                    .contains("is not started");
        }
    }
}
