package io.qontrek.factorydr.proofs;

import io.qontrek.factorydr.common.AtomicFile;
import io.qontrek.factorydr.common.OwnerOnly;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.archive.CanonicalJson;
import io.qontrek.factorydr.common.Hashes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Signed recovery proofs in archive/recovery-proofs/ (kept forever): signature = HMAC-SHA256
 * (FACTORY_SIGNING_SECRET) over the RFC 8785 canonical JSON of the document without its
 * {@code signature} field, as manifests are signed. Published with {@link AtomicFile#writeNew}, so an
 * existing proof is never overwritten (a name taken in the same second gets a -2, -3 ... suffix) and a
 * crash leaves no half-written proof under a final name.
 */
public final class RecoveryProofs {
    public static final String DIRECTORY = "recovery-proofs";
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private RecoveryProofs() {}

    public static String stamp(Instant t) {
        return STAMP.format(t);
    }

    /**
     * Oldest first by file name, as {@link #write} names them: &lt;prefix&gt;-&lt;stamp&gt;.json, then a
     * later proof of the same second -2, -3 ... -10 (neither a plain sort, which puts "-2.json" before
     * ".json", nor a sort of the stems, which puts -10 before -2, keeps that order).
     */
    public static final Comparator<Path> NAME_ORDER = Comparator.comparing((Path f) -> sameSecondBase(f))
            .thenComparingInt(RecoveryProofs::sameSecondNumber);

    private static final Pattern SAME_SECOND = Pattern.compile("(.*Z)-([0-9]{1,4})");

    private static String stem(Path f) {
        String name = f.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
    }

    private static String sameSecondBase(Path f) {
        Matcher m = SAME_SECOND.matcher(stem(f));
        return m.matches() ? m.group(1) : stem(f);
    }

    private static int sameSecondNumber(Path f) {
        Matcher m = SAME_SECOND.matcher(stem(f));
        return m.matches() ? Integer.parseInt(m.group(2)) : 1;
    }

    /** Signs a document in place (any old signature replaced) and returns it. */
    public static ObjectNode sign(ObjectNode doc, byte[] signingSecret) {
        doc.put("signature", signature(doc, signingSecret));
        return doc;
    }

    /** The signature a document should carry: over its canonical JSON without the signature field. */
    public static String signature(ObjectNode doc, byte[] signingSecret) {
        if (signingSecret == null || signingSecret.length == 0) throw new IllegalArgumentException("signing secret is empty");
        ObjectNode unsigned = doc.deepCopy();
        unsigned.remove("signature");
        return Hashes.hmacSha256Hex(signingSecret, CanonicalJson.bytes(unsigned));
    }

    /** True only when the document carries a signature and it is right (constant-time compare). */
    public static boolean verify(ObjectNode doc, byte[] signingSecret) {
        var s = doc.get("signature");
        if (s == null || !s.isTextual()) return false;
        return Hashes.sameHex(signature(doc, signingSecret), s.asText());
    }

    /** Writes a signed document as dir/&lt;prefix&gt;-&lt;stamp&gt;.json atomically, never over an existing file. */
    public static Path write(Path dir, String prefix, Instant at, ObjectNode signed) throws IOException {
        OwnerOnly.directories(dir);
        byte[] bytes = JSON.writeValueAsBytes(signed);
        String base = prefix + "-" + stamp(at);
        Iterable<String> names = () -> IntStream.rangeClosed(1, 1000).mapToObj(n -> base + (n == 1 ? "" : "-" + n) + ".json").iterator();
        return AtomicFile.writeNew(dir, names, out -> out.write(bytes));
    }

    /** Reads a proof document; a file that is not a JSON object is an IOException naming it. */
    public static ObjectNode read(Path file) throws IOException {
        var node = JSON.readTree(file.toFile());
        if (!(node instanceof ObjectNode o)) throw new IOException(file + " is not a JSON object");
        return o;
    }
}
