package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.recovery.SignedDrillProof;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page (GET /) of a real `factory-dr serve`, loaded by a real headless Chromium (Debian's
 * chromium package; .ci/run installs it): the DOM the browser built lists every governance gate with the
 * verdict GET /api/mcp/governance gives, a recorded text full of markup shows as text, and the
 * screenshot is a real picture. And `factory-dr status --json`, run on the same runtime meanwhile,
 * gives the API's verdicts too.
 */
class StatusPageEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Every gate Gates.evaluate judges: the page must list each. */
    static final Set<String> EVERY_GATE = Set.of(Gates.RPO, Gates.FULL, Gates.VERIFICATION, Gates.OFFSITE, Gates.PROOF_CHAIN,
            Gates.PANIC, Gates.DRILL);
    /** A panic reason an attacker who can write data/ATLAS_PANIC might choose: markup that must stay text. */
    static final String HOSTILE_REASON = "<script>document.title='owned'</script><img src=x onerror=alert(1)> & \"quoted\"";
    /** One row of the gates table, as the browser serialises it. */
    static final Pattern GATE_ROW = Pattern.compile("<tr data-gate=\"([^\"]*)\" data-pass=\"(true|false)\"><th scope=\"row\">([^<]*)</th>"
            + "<td class=\"(pass|fail)\">(PASS|FAIL)</td><td class=\"detail\">([^<]*)</td></tr>");

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ServeProcess serve;

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
    }

    @Test
    void chromiumShowsEveryGateAsTheApiJudgesIt_andStatusJsonGivesTheSameVerdicts(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(40).days(2).ledgerRows(100).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = ServeHttpAccessTest.quietService(tmp, root);
        // a full backup and a signed passed drill: rpo, full-backup, offsite (not required) and drill pass;
        // verification and proof-chain have never run, and the panic flag is up: those three fail
        Cli.Result full = Cli.run(env, "backup", "full");
        assertThat(full.exit()).as(full.toString()).isZero();
        SignedDrillProof.passed(RuntimeLayout.under(root), Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS),
                Cli.SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
        Files.writeString(root.resolve("data/ATLAS_PANIC"), HOSTILE_REASON + "\n");

        int port = ServeProcess.freePort();
        env.put("FACTORY_HTTP_PORT", String.valueOf(port));
        serve = ServeProcess.start(env);
        awaitServing(port);

        Map<String, Boolean> api = verdicts(JSON.readTree(get(port, "/api/mcp/governance").body()));
        assertThat(api.keySet()).isEqualTo(EVERY_GATE);
        assertThat(api).containsEntry(Gates.RPO, true).containsEntry(Gates.FULL, true).containsEntry(Gates.DRILL, true)
                .containsEntry(Gates.PANIC, false).containsEntry(Gates.PROOF_CHAIN, false).containsEntry(Gates.VERIFICATION, false);

        HttpResponse<String> page = get(port, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");

        // the DOM Chromium built from the page (scripts would have run by now: there must be none)
        Path profile = Files.createDirectory(tmp.resolve("chromium-profile"));
        String dom = chromium(tmp, profile, "--dump-dom", "http://127.0.0.1:" + port + "/").out();
        Map<String, Boolean> shown = new LinkedHashMap<>();
        Map<String, String> details = new LinkedHashMap<>();
        Matcher m = GATE_ROW.matcher(dom);
        while (m.find()) {
            boolean pass = Boolean.parseBoolean(m.group(2));
            assertThat(m.group(3)).isEqualTo(m.group(1));
            assertThat(m.group(4)).isEqualTo(pass ? "pass" : "fail");
            assertThat(m.group(5)).isEqualTo(pass ? "PASS" : "FAIL");
            assertThat(shown.put(m.group(1), pass)).as("gate %s listed once", m.group(1)).isNull();
            details.put(m.group(1), m.group(6));
        }
        assertThat(shown).as("every gate in the page's gates table, with the API's verdict:\n" + dom).isEqualTo(api);
        assertThat(dom).contains("<title>FAIL - factory-dr status</title>", "Governance: <strong class=\"fail\">FAIL</strong>, 4 of 7 gates pass");

        // the panic reason is text: escaped in the DOM, no script or image element came of it
        assertThat(details.get(Gates.PANIC)).contains("&lt;script&gt;document.title='owned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
                + " &amp; \"quoted\"");
        assertThat(dom).doesNotContain("<script", "<img", "owned</title>");

        // screen-reader-sane tables: each has a caption, each header cell a scope
        assertThat(count(dom, "<table")).isGreaterThanOrEqualTo(6).isEqualTo(count(dom, "<caption>"));
        assertThat(count(dom, "<th ")).isEqualTo(count(dom, "<th scope=\"col\">") + count(dom, "<th scope=\"row\">"));
        assertThat(dom).doesNotContain("<th>");

        // the rest of the summary: the newest full, RPO met, the drill's RTO, offsite lag, the chart
        assertThat(dom).contains("<tr data-kind=\"full\"><th scope=\"row\">full</th><td>full/");
        assertThat(dom).containsPattern("<tr data-measure=\"rpo\"><th scope=\"row\">RPO</th><td>\\d+ (s|min)</td><td>60 min</td>"
                + "<td class=\"pass\">yes</td>");
        assertThat(dom).contains("<tr data-measure=\"rto\"><th scope=\"row\">RTO</th><td>42 s</td><td>30 min</td><td class=\"pass\">yes</td>");
        assertThat(dom).contains("<tr data-measure=\"offsite-lag\"><th scope=\"row\">Offsite lag</th><td>disabled</td>");
        assertThat(dom).containsPattern("<tr data-measure=\"last-drill\"><th scope=\"row\">Last drill</th><td>2 d 0 h ago</td>");
        assertThat(dom).containsPattern("(?s)<figure id=\"backup-full-duration\">.*?<svg [^>]*role=\"img\"[^>]*>.*?<circle class=\"point\"");
        assertThat(dom).containsPattern("(?s)<figure id=\"backup-full-size\">.*?<desc id=\"backup-full-size-desc\">1 run from ");
        assertThat(dom).contains("<tr data-check=\"routes\"><th scope=\"row\">routes</th><td class=\"healthy\">healthy</td>");

        // a screenshot: a PNG of the window's size, with something drawn on it
        Path png = tmp.resolve("status-page.png");
        chromium(tmp, profile, "--window-size=1200,2400", "--screenshot=" + png, "http://127.0.0.1:" + port + "/");
        assertThat(png).exists();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(20_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG ImageIO reads").isNotNull();
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(2400);
        Set<Integer> colours = new HashSet<>();
        long inked = 0;
        int background = image.getRGB(image.getWidth() - 1, image.getHeight() - 1);
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                colours.add(rgb);
                if (rgb != background) inked++;
            }
        }
        assertThat(colours.size()).as("distinct colours: text, the red and green verdicts, the chart").isGreaterThan(50);
        assertThat(inked).as("pixels that are not the background").isGreaterThan(image.getWidth() * image.getHeight() / 4 / 10);

        // `factory-dr status --json` on the same runtime: the API's verdicts, gate by gate
        Cli.Result status = Cli.run(env, "status", "--json");
        assertThat(status.exit()).as("a failing gate: exit 1\n" + status).isEqualTo(1);
        JsonNode report = JSON.readTree(status.out());
        JsonNode governance = JSON.readTree(get(port, "/api/mcp/governance").body());
        assertThat(verdicts(report.get("governance"))).isEqualTo(api).isEqualTo(verdicts(governance));
        assertThat(report.get("governance").get("pass").asBoolean()).isEqualTo(governance.get("pass").asBoolean()).isFalse();
        for (int i = 0; i < governance.get("gates").size(); i++) {
            assertThat(ages(report.get("governance").get("gates").get(i).get("detail").asText()))
                    .isEqualTo(ages(governance.get("gates").get(i).get("detail").asText()));
        }
        assertThat(report.get("rto").get("seconds").asDouble()).isEqualTo(42.0);
        assertThat(report.get("rpo").get("met").asBoolean()).isTrue();
        assertThat(report.get("newest_archives").get(0).get("type").asText()).isEqualTo("full");
        assertThat(report.get("backup_runs")).hasSize(1);
        assertThat(report.get("last_drill").get("passed").asBoolean()).isTrue();

        // and for people: one line per gate, the same verdicts
        Cli.Result text = Cli.run(env, "status");
        assertThat(text.exit()).as(text.toString()).isEqualTo(1);
        for (var gate : api.entrySet()) {
            assertThat(text.out()).containsPattern("(?m)^  " + (gate.getValue() ? "ok  " : "FAIL") + " " + Pattern.quote(gate.getKey()) + " ");
        }
        assertThat(text.out()).contains("RTO 42.0 s, objective 30 min: met", "offsite copies disabled", "last drill: passed 2 d 0 h ago");
        assertThat(serve.output() + text.out() + status.out()).doesNotContain(Cli.ARCHIVE_KEY).doesNotContain(Cli.SIGNING_SECRET);
    }

    @Test
    void statusOnAWrongRootSaysSoInOneLine_andCreatesNothing(@TempDir Path tmp) throws Exception {
        Map<String, String> env = Cli.env(tmp);
        Path nowhere = tmp.resolve("no-such-runtime");
        Cli.Result r = Cli.run(env, "status", "--root=" + nowhere);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("archive directory", nowhere.resolve("archive").toString(), "does not exist", "--root");
        assertThat(r.out()).isEmpty();
        assertThat(nowhere).doesNotExist();

        // an archive directory without a catalog: the same, and no empty catalog left behind
        Path archive = Files.createDirectories(tmp.resolve("rt/archive"));
        Cli.Result noCatalog = Cli.run(env, "status", "--json", "--root=" + tmp.resolve("rt"));
        assertThat(noCatalog.exit()).as(noCatalog.toString()).isEqualTo(2);
        assertThat(noCatalog.err().lines()).hasSize(1);
        assertThat(noCatalog.err()).contains("no catalog at " + archive.resolve("catalog.db"));
        try (var s = Files.list(archive)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs Debian's chromium headless on loopback; it must be installed (.ci/run installs it), or the test fails. */
    private static Cli.Result chromium(Path tmp, Path profile, String... args) throws Exception {
        Path bin = Path.of("/usr/bin/chromium");
        assertThat(bin).as("Debian's chromium package (apt-get install chromium; .ci/run installs it)").isExecutable();
        // under timeout(1): a page that blocked the browser (a script's alert(), say) must fail the test, not hang it
        List<String> cmd = new ArrayList<>(List.of("timeout", "--kill-after=10", "120", bin.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-crash-reporter", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Cli.Result r = Cli.finish(new ProcessBuilder(cmd).directory(tmp.toFile()).start(), 180);
        assertThat(r.exit()).as("chromium " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    private static Map<String, Boolean> verdicts(JsonNode governance) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (JsonNode g : governance.get("gates")) out.put(g.get("name").asText(), g.get("pass").asBoolean());
        return out;
    }

    /** A detail with its ages and times made alike ("20 s ago" and "2 min ago"): the two were read seconds apart. */
    private static String ages(String detail) {
        return detail.replaceAll("\\d[\\d:.TZ-]*( (s|min|h|d)\\b)?", "#");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) n++;
        return n;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Until the page and the governance endpoint answer (any status but 404: routes join the server one by one). */
    private void awaitServing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(serve.isAlive()).as("serve exited:\n" + serve.output()).isTrue();
            try {
                if (get(port, "/").statusCode() != 404 && get(port, "/api/mcp/governance").statusCode() != 404) return;
            } catch (ConnectException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("serve did not answer on port " + port + " within 90 s:\n" + serve.output());
    }
}
