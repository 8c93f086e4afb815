package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check of an edited route file, on the real schedules file: the routes its templated routes
 * make are its routes, and an edit of a template parameter that would not run is refused.
 */
class RouteFileCheckTest {
    static final Path SCHEDULES = Path.of("routes/schedules.camel.yaml").toAbsolutePath();
    static final Path RETENTION = Path.of("routes/retention.camel.yaml").toAbsolutePath();

    DefaultCamelContext service;
    String schedules;

    @BeforeEach
    void service() throws Exception {
        service = new DefaultCamelContext();
        Properties p = new Properties();
        p.put("factory.schedule.time-zone", "UTC");
        for (String flow : io.qontrek.factorydr.schedule.Schedules.FLOWS) p.put("factory.schedule." + flow + ".cron", "0 0 3 * * ?");
        service.getPropertiesComponent().setInitialProperties(p);
        service.getRegistry().bind("runScheduledFlow", (Processor) ex -> { });
        // as the service starts by default: without the Camel CLI's connector, which Camel would find on the classpath
        service.getCamelContextExtension().addContextPlugin(org.apache.camel.spi.CliConnectorFactory.class, CamelCliConnector.none());
        service.start();
        schedules = Files.readString(SCHEDULES);
    }

    @AfterEach
    void stop() {
        service.stop();
    }

    private Map<Path, List<String>> check(String text) throws Exception {
        return RouteFileCheck.check(service, Map.of(SCHEDULES, text));
    }

    @Test
    void theRoutesOfTheScheduleTemplateAreTheFilesRoutes() throws Exception {
        assertThat(check(schedules).get(SCHEDULES)).containsExactlyElementsOf(
                io.qontrek.factorydr.schedule.Schedules.FLOWS.stream().map(f -> "schedule-" + f).toList());
    }

    @Test
    void aTemplateParameterThatWouldNotRunIsRefused() {
        String backupFullCron = "value: \"{{factory.schedule.backup-full.cron}}\"";
        assertThat(schedules).contains(backupFullCron);
        assertThatThrownBy(() -> check(schedules.replace(backupFullCron, "value: \"0 0 99 ? * SUN\"")))
                .hasMessageContaining("hour value 99 is not between 0 and 23");
        assertThatThrownBy(() -> check(schedules.replace(backupFullCron, "value: \"0 0 25 * * ?\"")))
                .hasMessageContaining("0 0 25 * * ?");
        assertThatThrownBy(() -> check(schedules.replace("      - { name: " + backupFullCron.replace("value: ", "cron, value: ") + " }\n", "")))
                .hasMessageContaining("mandatory parameters must be provided: cron");
    }

    @Test
    void aTemplatedRouteIdAnotherFileDefinesIsRefused() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(SCHEDULES, schedules.replace("routeId: schedule-retention\n", "routeId: retention\n"));
        files.put(RETENTION, Files.readString(RETENTION));
        service.getRegistry().bind("retentionRemoved", new org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy());
        assertThatThrownBy(() -> RouteFileCheck.check(service, files)).hasMessageContaining("route id retention is defined in");
    }

    @Test
    void aSendToADirectEndpointNoRouteStartsFromIsRefused() throws Exception {
        String route = """
                - route:
                    id: a-flow
                    from:
                      uri: direct:a-flow
                      steps:
                        - to: direct:%s
                - route:
                    id: archive-store
                    from:
                      uri: direct:archive-store
                      steps:
                        - log: stored
                """;
        Path file = Path.of("routes/edited.camel.yaml").toAbsolutePath();
        assertThat(RouteFileCheck.check(service, Map.of(file, route.formatted("archive-store"))).get(file))
                .containsExactlyInAnyOrder("a-flow", "archive-store");
        assertThatThrownBy(() -> RouteFileCheck.check(service, Map.of(file, route.formatted("archive-stor"))))
                .hasMessage("a route sends to direct:archive-stor, which no route starts from");
    }
}
