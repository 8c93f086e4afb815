package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * routes/alerts.camel.yaml in process, as in the service (factory.serve=true) with a one-second
 * watch: on a runtime never backed up, the RPO breach alerts once, critical, however many times the
 * gates are evaluated; once a full backup covers every kind of data, one more alert says it passes again.
 */
class AlertsRoutesTest extends RouteFileTestSupport {
    @Override
    List<String> routeFiles() {
        return List.of("alerts.camel.yaml", "backup.camel.yaml", "archive.camel.yaml");
    }

    @Override
    Map<String, String> moreSettings() {
        return Map.of("factory.serve", "true", "factory.governance.watch-interval-seconds", "1");
    }

    private List<String> rpoAlerts() throws Exception {
        return alertLines().stream().filter(l -> l.contains("governance-watch") && l.toLowerCase().contains("rpo")).toList();
    }

    @Test
    void anRpoBreachAlertsOnceAndItsEndOnceMore() throws Exception {
        NotifyBuilder ticks = new NotifyBuilder(context).fromRoute("governance-watch").whenCompleted(3).create();
        assertThat(ticks.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rpoAlerts()).singleElement().asString().contains("critical").contains("RPO breach");

        fullBackup();
        NotifyBuilder after = new NotifyBuilder(context).fromRoute("governance-watch").whenCompleted(2).create();
        assertThat(after.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rpoAlerts()).hasSize(2).last().asString().contains("passes again");
    }
}
