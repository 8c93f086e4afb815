package io.qontrek.factorydr.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupChartTest {
    static final Instant TO = Instant.parse("2026-12-02T00:00:00Z");
    static final Instant FROM = TO.minus(Duration.ofDays(30));

    @Test
    void theAxisRoundsUpTo1_2Or5TimesAPowerOfTen() {
        assertThat(BackupChart.niceCeiling(0)).isEqualTo(1);
        assertThat(BackupChart.niceCeiling(0.3)).isEqualTo(0.5);
        assertThat(BackupChart.niceCeiling(1)).isEqualTo(1);
        assertThat(BackupChart.niceCeiling(1.01)).isEqualTo(2);
        assertThat(BackupChart.niceCeiling(37)).isEqualTo(50);
        assertThat(BackupChart.niceCeiling(51)).isEqualTo(100);
    }

    @Test
    void sizesGetAnAxisInPowersOf1024_andLabelsAreEscaped() {
        List<BackupChart.Point> points = List.of(new BackupChart.Point(FROM.plus(Duration.ofDays(1)), 300 * 1024, "a <b> & \"c\""));
        String svg = BackupChart.svg("x", "sizes <&>", points, FROM, TO, true, v -> StatusReport.bytes((long) v));
        // 300 KiB rounds up to 500 KiB, in fifths
        assertThat(svg).contains(">500.0 KiB</text>", ">400.0 KiB</text>", ">100.0 KiB</text>", ">0 B</text>").doesNotContain(">125.0 KiB");
        assertThat(svg).contains("<title id=\"x-title\">sizes &lt;&amp;&gt;</title>", "<title>a &lt;b&gt; &amp; &quot;c&quot;</title>");
        assertThat(svg).contains("role=\"img\"", "aria-labelledby=\"x-title x-desc\"", "1 run from 11-02 to 12-02");
        assertThat(svg).doesNotContain("<b>");
    }

    @Test
    void aMonthOfIncrementalsIsOneLineWithoutAMarkPerPoint() {
        List<BackupChart.Point> points = new ArrayList<>();
        for (int i = 0; i < 2880; i++) points.add(new BackupChart.Point(FROM.plus(Duration.ofMinutes(15L * i)), 1 + i % 3, "run " + i));
        String svg = BackupChart.svg("inc", "durations", points, FROM, TO, false, v -> v + " s");
        assertThat(svg).contains("<polyline class=\"series\" points=\"").doesNotContain("<circle");
        assertThat(svg.length()).as("bytes of SVG for 2880 runs").isLessThan(60_000);
        assertThat(BackupChart.svg("few", "durations", points.subList(0, 3), FROM, TO, false, v -> v + " s"))
                .contains("<title>run 2</title>");
        assertThat(BackupChart.svg("none", "durations", List.of(), FROM, TO, false, v -> v + " s"))
                .contains("no successful run in this window").doesNotContain("<polyline", "<circle");
    }
}
