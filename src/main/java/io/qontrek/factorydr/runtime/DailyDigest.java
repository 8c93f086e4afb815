package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;


/**
 * One day's digest, {@code proof/digests/YYYY-MM-DD.json}, schema {@code factory.digest.v1}: a hash
 * over the day's proof roots chained to the day before, so a lost or altered day shows.
 * {@code firstSeq}/{@code lastSeq} are null on a day without proofs.
 */
public record DailyDigest(String schema, String date, Long firstSeq, Long lastSeq, String prevDigest, String digest) {

    public static final String SCHEMA = "factory.digest.v1";
    public static final String DIRECTORY = "digests";

    private static final Set<String> FIELDS = Set.of("schema", "date", "first_seq", "last_seq", "prev_digest", "digest");

    public DailyDigest {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(prevDigest, "prevDigest");
        Objects.requireNonNull(digest, "digest");
        if ((firstSeq == null) != (lastSeq == null)) {
            throw new IllegalArgumentException("first_seq and last_seq are both null or both set, were "
                    + firstSeq + " and " + lastSeq);
        }
    }

    /**
     * {@code SHA-256(UTF-8(prevDigest|date|r1|...|rk))}, the roots of the day's proofs in seq order;
     * with no roots {@code SHA-256(UTF-8(prevDigest|date))}.
     */
    public static String compute(String prevDigest, String date, List<String> roots) {
        MessageDigest sha256 = Hashes.sha256();
        sha256.update((prevDigest + "|" + date).getBytes(StandardCharsets.UTF_8));
        for (String root : roots) {
            sha256.update((byte) '|');
            sha256.update(root.getBytes(StandardCharsets.UTF_8));
        }
        return Hex.encode(sha256.digest());
    }

    /** {@code <proofDir>/digests/YYYY-MM-DD.json}. */
    public static Path path(Path proofDir, LocalDate date) {
        return proofDir.resolve(DIRECTORY).resolve(fileName(date));
    }

    public static String fileName(LocalDate date) {
        return date + ".json";
    }

    /** The date a digest file name carries, or empty when it is not {@code YYYY-MM-DD.json}. */
    public static Optional<LocalDate> dateOfFileName(String name) {
        if (!name.matches("\\d{4}-\\d{2}-\\d{2}\\.json")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(name.substring(0, 10)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public LocalDate day() {
        return LocalDate.parse(date);
    }

    /** True when the digest recomputes from prevDigest, date and the given roots of that day. */
    public boolean recomputes(List<String> roots) {
        return compute(prevDigest, date, roots).equals(digest);
    }

    public static DailyDigest read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static DailyDigest parse(byte[] json) throws MalformedFileException {
        return parse(json, "digest JSON");
    }

    public static DailyDigest parse(byte[] json, String source) throws MalformedFileException {
        JsonFields f = RuntimeJson.readObject(json, source).only(FIELDS);
        f.constant("schema", SCHEMA);
        Long first = f.nullableSeq("first_seq");
        Long last = f.nullableSeq("last_seq");
        if ((first == null) != (last == null)) {
            throw f.fail("first_seq", "first_seq and last_seq must both be null or both be set, were "
                    + first + " and " + last);
        }
        if (first != null && first > last) {
            throw f.fail("first_seq", "first_seq " + first + " is after last_seq " + last);
        }
        return new DailyDigest(SCHEMA, f.date("date"), first, last, f.hash("prev_digest"), f.hash("digest"));
    }

    /** The contract's JSON, nulls written as JSON null, keys in the contract's order. */
    public byte[] toJson() {
        return RuntimeJson.write(g -> {
            g.writeStartObject();
            g.writeStringField("schema", schema);
            g.writeStringField("date", date);
            g.writeFieldName("first_seq");
            if (firstSeq == null) g.writeNull(); else g.writeNumber(firstSeq);
            g.writeFieldName("last_seq");
            if (lastSeq == null) g.writeNull(); else g.writeNumber(lastSeq);
            g.writeStringField("prev_digest", prevDigest);
            g.writeStringField("digest", digest);
            g.writeEndObject();
        });
    }
}
