package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.catalog.Catalog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * routes/schedules.camel.yaml in process, with the daily proof archive's trigger on a cron of every
 * two seconds and active (as serve makes it): the trigger runs the flow, recorded under the flow's own
 * name; with the flow's route stopped (as over JMX) the trigger fails loudly, a failed run of that flow.
 */
class SchedulesRoutesTest extends RouteFileTestSupport {
    @Override
    List<String> routeFiles() {
        return List.of("schedules.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        return Map.of("factory.schedule.proof-daily-archive.cron", "0/2 * * * * ?", "factory.schedule.proof-daily-archive.active", "true",
                "camel.component.quartz.auto-start-scheduler", "true");
    }

    @Test
    void theTriggerRunsTheFlowUnderItsOwnName() throws Exception {
        NotifyBuilder ran = new NotifyBuilder(context).fromRoute("proof-daily-archive").whenCompleted(1).create();
        assertThat(ran.matches(30, TimeUnit.SECONDS)).isTrue();
        context.getRouteController().stopRoute("schedule-proof-daily-archive");
        assertThat(catalog().runs("proof-daily-archive")).extracting(Catalog.RunRow::outcome).first().isEqualTo("ok");
        assertThat(archives()).anyMatch(a -> a.startsWith("proof/"));
        assertThat(context.getRouteController().getRouteStatus("schedule-backup-full").isStarted()).as("a schedule not made active").isFalse();
    }

    @Test
    void withTheFlowStoppedTheTriggerFailsLoudly() throws Exception {
        // the trigger may have fired once already as the context started: count from here
        context.getRouteController().stopRoute("schedule-proof-daily-archive");
        context.getRouteController().stopRoute("proof-daily-archive");
        int before = catalog().runs("proof-daily-archive").size();
        NotifyBuilder fired = new NotifyBuilder(context).fromRoute("schedule-proof-daily-archive").whenDone(1).create();
        context.getRouteController().startRoute("schedule-proof-daily-archive");
        assertThat(fired.matches(30, TimeUnit.SECONDS)).isTrue();
        context.getRouteController().stopRoute("schedule-proof-daily-archive");
        // every fire in the window is a failed run saying why, recorded at once (no wait for a consumer)
        List<Catalog.RunRow> runs = catalog().runs("proof-daily-archive");
        List<Catalog.RunRow> fresh = runs.subList(before, runs.size());
        assertThat(fresh).isNotEmpty().allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo("failed");
            assertThat(r.detail()).contains("not started");
            assertThat(Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.finishedAt()))).isLessThanOrEqualTo(Duration.ofSeconds(1));
        });
    }
}
