package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.qontrek.factorydr.common.Hashes;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;

/**
 * The manifest's two JSON forms, written and read as streams, so a manifest of a million files is
 * never a tree, a String or one byte array:
 * <ul>
 *   <li>canonical (RFC 8785: members sorted at every level, no whitespace), the in-tar
 *       {@code manifest.json} and the bytes the signature covers;</li>
 *   <li>pretty, in the contract's key order, the sidecar {@code X.manifest.json}.</li>
 * </ul>
 * The manifest's members are fixed by the contract, so the canonical order is written out here
 * rather than sorted. {@code ManifestJsonTest} proves both forms equal to the tree-based rendering
 * ({@link CanonicalJson} over the parsed tree) they replace.
 *
 * <p>Parsing is strict and lossless: every member required except {@code archive} and
 * {@code signature} (and the later optional ones: {@code databases}, {@code tripwires}, and a file's
 * {@code mode}, {@code mtime}, {@code uid}, {@code gid}, which come all four or not at all), unknown or
 * repeated members refused (at every level), integers only, times in the contract's form (an mtime in
 * whole seconds), so that what was parsed writes back as the same JSON.
 */
public final class ManifestJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final long MAX_EXACT = 1L << 53; // larger integers have no exact RFC 8785 form

    private ManifestJson() {}

    /** Which members the canonical form holds. */
    public enum Form {
        /** The in-tar manifest.json: neither archive nor signature. */
        IN_TAR,
        /** What the signature covers: archive, but not signature. */
        SIGNED
    }

    // ---- canonical ----

    /** Streams the canonical form into {@code out} (left open). */
    public static void writeCanonical(Manifest m, Form form, OutputStream out) throws IOException {
        Canonical w = new Canonical(out);
        w.raw("{");
        if (form == Form.SIGNED) {
            w.key("archive");
            Manifest.ArchiveRef a = m.archive();
            if (a == null) {
                w.raw("null");
            } else {
                w.raw("{").key("name").string(a.name()).raw(",").key("sha256").string(a.sha256()).raw(",").key("size")
                        .number(a.size()).raw("}");
            }
            w.raw(",");
        }
        w.key("backup_id").string(m.backupId()).raw(",");
        w.key("base").nullableString(m.base()).raw(",");
        w.key("created_at").string(createdAt(m)).raw(",");
        if (m.databases() != null) {
            w.key("databases").raw("[");
            for (int i = 0; i < m.databases().size(); i++) {
                Manifest.Database d = m.databases().get(i);
                if (i > 0) w.raw(",");
                w.raw("{").key("base");
                tableHead(w, d.base());
                w.raw(",").key("form").string(d.form().wire()).raw(",").key("head");
                tableHead(w, d.head());
                w.raw(",").key("name").string(d.name()).raw(",").key("path").string(d.path()).raw(",").key("rows").number(d.rows())
                        .raw(",").key("why").nullableString(d.why()).raw("}");
            }
            w.raw("],");
        }
        w.key("files").raw("[");
        boolean first = true;
        for (FileRecord f : m.files()) {
            if (!first) w.raw(",");
            first = false;
            EntryAttributes a = f.attributes();
            w.raw("{");
            if (a != null) w.key("gid").number(a.gid()).raw(",").key("mode").string(a.modeOctal()).raw(",").key("mtime").string(time(a.mtime())).raw(",");
            w.key("path").string(f.path()).raw(",").key("sha256").string(f.sha256()).raw(",").key("size").number(f.size());
            if (a != null) w.raw(",").key("uid").number(a.uid());
            w.raw("}");
        }
        w.raw("],");
        w.key("ledger_head");
        if (m.ledgerHead() == null) w.raw("null");
        else w.raw("{").key("entry_hash").string(m.ledgerHead().entryHash()).raw(",").key("seq").number(m.ledgerHead().seq()).raw("}");
        w.raw(",").key("proof_head");
        if (m.proofHead() == null) w.raw("null");
        else w.raw("{").key("merkle_root").string(m.proofHead().merkleRoot()).raw(",").key("seq").number(m.proofHead().seq()).raw("}");
        w.raw(",").key("redacted").strings(m.redacted()).raw(",");
        w.key("schema").string(Manifest.SCHEMA).raw(",");
        w.key("skipped").strings(m.skipped()).raw(",");
        if (m.tripwires() != null) w.key("tripwires").strings(m.tripwires()).raw(",");
        w.key("type").string(m.type().wire()).raw("}");
        w.flush();
    }

    private static void tableHead(Canonical w, Manifest.TableHead h) throws IOException {
        if (h == null) {
            w.raw("null");
            return;
        }
        w.raw("{").key("last_row_sha256").nullableString(h.lastRowSha256()).raw(",").key("rowid").number(h.rowid())
                .raw(",").key("rows").number(h.rows()).raw("}");
    }

    /** The canonical form's bytes: for small manifests (tests, messages). */
    public static byte[] canonical(Manifest m, Form form) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeCanonical(m, form, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The SHA-256 of the canonical form, streamed: how two manifests are compared. */
    public static byte[] canonicalSha256(Manifest m, Form form) {
        MessageDigest digest = Hashes.sha256();
        try (OutputStream out = new BufferedOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest), 1 << 16)) {
            writeCanonical(m, form, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest.digest();
    }

    /** Writes canonical JSON's tokens; strings escaped by {@link CanonicalJson#quote}. */
    private static final class Canonical {
        private final OutputStream out;
        private final StringBuilder pending = new StringBuilder(256);

        Canonical(OutputStream out) {
            this.out = out;
        }

        Canonical raw(String s) throws IOException {
            pending.append(s);
            if (pending.length() >= 8192) flush();
            return this;
        }

        Canonical key(String k) throws IOException {
            return string(k).raw(":");
        }

        Canonical string(String s) throws IOException {
            CanonicalJson.quote(s, pending);
            return raw("");
        }

        Canonical nullableString(String s) throws IOException {
            return s == null ? raw("null") : string(s);
        }

        Canonical number(long n) throws IOException {
            if (n > MAX_EXACT || n < -MAX_EXACT) throw new IllegalArgumentException("integer outside the exact IEEE-754 range: " + n);
            return raw(Long.toString(n));
        }

        Canonical strings(List<String> values) throws IOException {
            raw("[");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) raw(",");
                string(values.get(i));
            }
            return raw("]");
        }

        void flush() throws IOException {
            out.write(pending.toString().getBytes(StandardCharsets.UTF_8));
            pending.setLength(0);
        }
    }

    // ---- pretty ----

    /** Streams the sidecar form (contract order, pretty, absent archive or signature as null) and a final newline. */
    public static void writePretty(Manifest m, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out).useDefaultPrettyPrinter()) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("schema", Manifest.SCHEMA);
            g.writeStringField("backup_id", m.backupId());
            g.writeStringField("type", m.type().wire());
            g.writeStringField("created_at", createdAt(m));
            g.writeStringField("base", m.base());
            g.writeArrayFieldStart("files");
            for (FileRecord f : m.files()) {
                g.writeStartObject();
                g.writeStringField("path", f.path());
                g.writeNumberField("size", f.size());
                g.writeStringField("sha256", f.sha256());
                EntryAttributes a = f.attributes();
                if (a != null) {
                    g.writeStringField("mode", a.modeOctal());
                    g.writeStringField("mtime", time(a.mtime()));
                    g.writeNumberField("uid", a.uid());
                    g.writeNumberField("gid", a.gid());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (m.proofHead() == null) {
                g.writeNullField("proof_head");
            } else {
                g.writeObjectFieldStart("proof_head");
                g.writeNumberField("seq", m.proofHead().seq());
                g.writeStringField("merkle_root", m.proofHead().merkleRoot());
                g.writeEndObject();
            }
            if (m.ledgerHead() == null) {
                g.writeNullField("ledger_head");
            } else {
                g.writeObjectFieldStart("ledger_head");
                g.writeNumberField("seq", m.ledgerHead().seq());
                g.writeStringField("entry_hash", m.ledgerHead().entryHash());
                g.writeEndObject();
            }
            if (m.databases() != null) {
                g.writeArrayFieldStart("databases");
                for (Manifest.Database d : m.databases()) {
                    g.writeStartObject();
                    g.writeStringField("name", d.name());
                    g.writeStringField("form", d.form().wire());
                    g.writeStringField("path", d.path());
                    g.writeNumberField("rows", d.rows());
                    writeTableHead(g, "base", d.base());
                    writeTableHead(g, "head", d.head());
                    g.writeStringField("why", d.why());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            writeStrings(g, "redacted", m.redacted());
            writeStrings(g, "skipped", m.skipped());
            if (m.tripwires() != null) writeStrings(g, "tripwires", m.tripwires());
            if (m.archive() == null) {
                g.writeNullField("archive");
            } else {
                g.writeObjectFieldStart("archive");
                g.writeStringField("name", m.archive().name());
                g.writeNumberField("size", m.archive().size());
                g.writeStringField("sha256", m.archive().sha256());
                g.writeEndObject();
            }
            g.writeStringField("signature", m.signature());
            g.writeEndObject();
        }
        out.write('\n');
    }

    /** The sidecar form's bytes: for small manifests (tests). */
    public static byte[] pretty(Manifest m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writePretty(m, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTableHead(JsonGenerator g, String name, Manifest.TableHead h) throws IOException {
        if (h == null) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        g.writeNumberField("rowid", h.rowid());
        g.writeNumberField("rows", h.rows());
        g.writeStringField("last_row_sha256", h.lastRowSha256());
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static String createdAt(Manifest m) {
        return time(m.createdAt());
    }

    private static String time(Instant t) {
        return IsoSeconds.format(t);
    }

    // ---- parsing ----

    /** Parses either form; the files spill into {@code spillDir} (null: java.io.tmpdir) when many. */
    public static Manifest parse(InputStream json, Path spillDir) throws ArchiveException {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ArchiveException("manifest is not a JSON object");
            Manifest m;
            try {
                m = new ManifestReader(p, spillDir).manifest();
            } catch (IllegalArgumentException e) {
                throw new ArchiveException("manifest: " + e.getMessage(), e);
            }
            if (p.nextToken() != null) {
                m.files().close();
                throw new ArchiveException("manifest is not valid JSON: content after the object");
            }
            return m;
        } catch (JsonParseException e) {
            throw new ArchiveException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new ArchiveException("manifest cannot be read: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ArchiveException("manifest cannot be read: " + e.getMessage(), e);
        }
    }

    public static Manifest parse(byte[] json) throws ArchiveException {
        return parse(new ByteArrayInputStream(json), null);
    }
}
