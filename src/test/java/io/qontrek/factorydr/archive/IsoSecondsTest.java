package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast path against java.time, the plain one it replaces: same text, same instants, same refusals. */
class IsoSecondsTest {
    private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void formatsAndParsesExactlyAsIsoInstantOverRandomTimes() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long s = i % 10 == 0 ? r.nextLong(MIN - 100_000, MAX + 100_000) : r.nextLong(0, 4_102_444_800L);
            Instant t = Instant.ofEpochSecond(s, i % 97 == 0 ? r.nextInt(1, 1_000_000_000) : 0);
            String plain = DateTimeFormatter.ISO_INSTANT.format(t);
            assertThat(IsoSeconds.format(t)).isEqualTo(plain);
            assertThat(IsoSeconds.parse(plain)).isEqualTo(t);
        }
    }

    @Test
    void refusesWhatThePlainCheckRefused() {
        for (String bad : List.of("2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-10-23T24:00:00Z",
                "2025-10-23T14:60:00Z", "2025-10-23T14:00:60Z", "2025-10-23 14:00:00Z", "2025-10-23T14:00:00",
                "2025-10-23T14:00:00+00:00", "25-10-23T14:00:00Z", "2025-10-23T14:00:00.000Z", "2025-1a-23T14:00:00Z",
                "", "2025-10-23T14:00Z")) {
            assertThatThrownBy(() -> IsoSeconds.parse(bad)).as(bad).isInstanceOfAny(DateTimeException.class, IllegalArgumentException.class);
            assertThatThrownBy(() -> plain(bad)).as(bad).isInstanceOfAny(DateTimeException.class, IllegalArgumentException.class);
        }
    }

    @Test
    void modesAsTheRegexAndFormatDid() {
        for (int mode = 0; mode <= 07777; mode++) {
            String plain = String.format("%04o", mode);
            assertThat(new EntryAttributes(mode, Instant.EPOCH, 0, 0).modeOctal()).isEqualTo(plain);
            assertThat(EntryAttributes.parseMode(plain)).isEqualTo(mode);
        }
        for (String bad : List.of("640", "06400", "0648", "06a0", "-640", "+640", " 640")) {
            assertThatThrownBy(() -> EntryAttributes.parseMode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not four octal digits");
        }
    }

    /** What ManifestJson did before. */
    private static Instant plain(String text) {
        Instant t = Instant.parse(text);
        if (!DateTimeFormatter.ISO_INSTANT.format(t).equals(text)) throw new IllegalArgumentException("not canonical");
        return t;
    }
}
