package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteFilesTest {
    /** The project's own route files, by file name. */
    private static Map<String, String> projectRoutes() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        try (var list = Files.list(Path.of("routes"))) {
            for (Path p : list.sorted().toList()) files.put(p.getFileName().toString(), Files.readString(p));
        }
        return files;
    }

    private static Optional<List<String>> needed(Map<String, String> files, String... ids) {
        return RouteFiles.needed(files, List.of(ids));
    }

    @Test
    void aBackupNeedsItsFileTheArchiveStoreAndTheOffsiteFlowItSendsTo() throws Exception {
        assertThat(needed(projectRoutes(), "backup-incremental"))
                .contains(List.of("archive.camel.yaml", "backup.camel.yaml", "errors.camel.yaml", "heartbeat.camel.yaml",
                        "offsite.camel.yaml", "signatures.camel.yaml"));
    }

    @Test
    void aVerificationNeedsOnlyItsFileAndTheHeartbeat() throws Exception {
        // and signatures.camel.yaml: verify-archive, in the same file, sends to verify-detached
        assertThat(needed(projectRoutes(), "verify-proofs")).contains(List.of("errors.camel.yaml", "heartbeat.camel.yaml",
                "signatures.camel.yaml", "verify.camel.yaml"));
    }

    @Test
    void aRouteConfigurationDefinedInAnotherFileBringsThatFile() throws Exception {
        // verify-proofs (verify.camel.yaml) uses flow-errors (errors.camel.yaml); the schedules' template file is not needed
        assertThat(needed(projectRoutes(), "verify-proofs")).hasValueSatisfying(files -> assertThat(files)
                .contains("errors.camel.yaml").doesNotContain("schedules.camel.yaml"));
    }

    @Test
    void sendsAreFollowedTransitively() throws Exception {
        // the drill sends to restore and panic-recover; restore to offsite-download; both sign with sign-detached
        assertThat(needed(projectRoutes(), "drill-quarterly"))
                .contains(List.of("drill.camel.yaml", "errors.camel.yaml", "heartbeat.camel.yaml", "offsite.camel.yaml", "panic.camel.yaml",
                        "restore.camel.yaml", "signatures.camel.yaml"));
    }

    @Test
    void anUnknownFlowGivesNoAnswerSoEveryFileLoads() throws Exception {
        assertThat(needed(projectRoutes(), "no-such-flow")).isEmpty();
    }

    private static String route(String id, String... sends) {
        StringBuilder sb = new StringBuilder("- route:\n    id: " + id + "\n    from:\n      uri: direct:" + id
                + "\n      steps:\n        - log: hi\n");
        for (String s : sends) sb.append("        - to: ").append(s).append('\n');
        return sb.toString();
    }

    @Test
    void aFileWithGlobalElementsIsAlwaysIncluded() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a"));
        files.put("b", route("b"));
        files.put("errors", "- routeConfiguration:\n    onException:\n      - onException:\n          exception: [java.lang.Exception]\n");
        files.put("beans", "- beans:\n    - name: x\n      type: java.lang.Object\n");
        assertThat(needed(files, "a")).contains(List.of("a", "errors", "beans"));
    }

    private static final String TEMPLATE = "- routeTemplate:\n    id: tick\n    parameters:\n      - name: flow\n    route:\n"
            + "      from:\n        uri: \"timer:{{flow}}\"\n        steps:\n          - to: direct:b\n";

    private static String templated(String id) {
        return "- templatedRoute:\n    routeTemplateRef: tick\n    routeId: " + id + "\n    parameters:\n      - { name: flow, value: x }\n";
    }

    @Test
    void routesMadeFromATemplateBringTheTemplatesFileAndWhatItSendsTo() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a"));
        files.put("b", route("b"));
        files.put("template", TEMPLATE);
        files.put("ticks", templated("tick-x"));
        // no flow is fed by a template's timer: the files of templates and their routes are not needed for "a"
        assertThat(needed(files, "a")).contains(List.of("a"));
        files.put("a", route("a") + templated("tick-a"));
        assertThat(needed(files, "a")).contains(List.of("a", "b", "template"));
    }

    @Test
    void aTemplateFedByDirectOrAMissingTemplateGivesNoAnswer() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a") + templated("tick-a"));
        assertThat(needed(files, "a")).as("its template is nowhere").isEmpty();
        files.put("template", TEMPLATE.replace("timer:{{flow}}", "direct:{{flow}}"));
        assertThat(needed(files, "a")).as("a template fed by direct:").isEmpty();
    }

    @Test
    void aDynamicDirectSendGivesNoAnswer() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a", "\"direct:${header.next}\""));
        files.put("b", route("b"));
        assertThat(needed(files, "a")).isEmpty();
    }

    @Test
    void aFileThatDoesNotParseGivesNoAnswer() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a"));
        files.put("broken", "- route: [unclosed");
        assertThat(needed(files, "a")).isEmpty();
    }

    @Test
    void sendsWithOptionsAndTheLongFormAreFollowed() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a", route("a", "direct://b?timeout=5"));
        files.put("b", route("b", "\"direct:c\""));
        files.put("c", route("c"));
        files.put("d", route("d"));
        assertThat(needed(files, "a")).contains(List.of("a", "b", "c"));
    }
}
