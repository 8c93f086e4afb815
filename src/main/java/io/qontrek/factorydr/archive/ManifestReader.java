package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one manifest object from a parser positioned on its START_OBJECT, its files into a spilling
 * list, strictly ({@link ManifestJson} says what is refused); what it reads writes back as the same JSON.
 */
final class ManifestReader {
    private static final Set<String> KEYS = Set.of("schema", "backup_id", "type", "created_at", "base", "files",
            "proof_head", "ledger_head", "databases", "redacted", "skipped", "tripwires", "archive", "signature");
    private final JsonParser p;
    private final Path spillDir;

    ManifestReader(JsonParser p, Path spillDir) {
        this.p = p;
        this.spillDir = spillDir;
    }

    Manifest manifest() throws IOException {
        Set<String> seen = new HashSet<>();
        String schema = null, backupId = null, type = null, createdAt = null, base = null, signature = null;
        FileList files = null;
        Manifest.ProofHead proofHead = null;
        Manifest.LedgerHead ledgerHead = null;
        Manifest.ArchiveRef archive = null;
        List<String> redacted = null, skipped = null, tripwires = null;
        List<Manifest.Database> databases = null;
        try {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!KEYS.contains(key)) throw new IllegalArgumentException("unknown field '" + key + "'");
                seen.add(key);
                p.nextToken();
                switch (key) {
                    case "schema" -> schema = text(key);
                    case "backup_id" -> backupId = text(key);
                    case "type" -> type = text(key);
                    case "created_at" -> createdAt = text(key);
                    case "base" -> base = nullable() ? null : text(key);
                    case "signature" -> signature = nullable() ? null : text(key);
                    case "files" -> files = files();
                    case "proof_head" -> proofHead = nullable() ? null : proofHead();
                    case "ledger_head" -> ledgerHead = nullable() ? null : ledgerHead();
                    case "archive" -> archive = nullable() ? null : archive();
                    case "redacted" -> redacted = texts(key);
                    case "skipped" -> skipped = texts(key);
                    case "tripwires" -> tripwires = texts(key);
                    case "databases" -> databases = databases();
                    default -> throw new IllegalStateException(key);
                }
            }
            for (String k : List.of("schema", "backup_id", "type", "created_at", "base", "files", "proof_head",
                    "ledger_head", "redacted", "skipped")) {
                if (!seen.contains(k)) throw new IllegalArgumentException("missing field '" + k + "'");
            }
            if (!Manifest.SCHEMA.equals(schema)) throw new IllegalArgumentException("schema is not " + Manifest.SCHEMA);
            Manifest m = new Manifest(backupId, Manifest.Type.fromWire(type), instant(createdAt), base, files, proofHead,
                    ledgerHead, databases, redacted, skipped, tripwires, archive, signature);
            files = null; // the manifest owns it now
            return m;
        } finally {
            if (files != null) files.close();
        }
    }

    private FileList files() throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw new IllegalArgumentException("field 'files' is not an array");
        try (FileList.Builder b = FileList.builder(spillDir)) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("field 'files' holds a non-object");
                String path = null, sha256 = null, mode = null, mtime = null;
                Long size = null, uid = null, gid = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    switch (key) {
                        case "path" -> path = text(key);
                        case "size" -> size = integer(key);
                        case "sha256" -> sha256 = text(key);
                        case "mode" -> mode = text(key);
                        case "mtime" -> mtime = text(key);
                        case "uid" -> uid = integer(key);
                        case "gid" -> gid = integer(key);
                        default -> throw new IllegalArgumentException("unknown field '" + key + "' in files");
                    }
                }
                require(path, "path");
                EntryAttributes attributes = null;
                int given = (mode != null ? 1 : 0) + (mtime != null ? 1 : 0) + (uid != null ? 1 : 0) + (gid != null ? 1 : 0);
                if (given == 4) {
                    Instant t = instant("mtime", mtime);
                    if (t.getNano() != 0) throw new IllegalArgumentException("mtime '" + mtime + "' is not in whole seconds");
                    attributes = new EntryAttributes(EntryAttributes.parseMode(mode), t, uid, gid);
                } else if (given != 0) {
                    throw new IllegalArgumentException("file '" + path + "' has some of mode, mtime, uid, gid but not all four");
                }
                b.add(new FileRecord(path, require(size, "size"), require(sha256, "sha256"), attributes));
            }
            return b.seal();
        }
    }

    private Manifest.ProofHead proofHead() throws IOException {
        Long seq = null;
        String root = null;
        for (String key : members("proof_head")) {
            switch (key) {
                case "seq" -> seq = integer(key);
                case "merkle_root" -> root = text(key);
                default -> throw new IllegalArgumentException("unknown field '" + key + "' in proof_head");
            }
        }
        return new Manifest.ProofHead(require(seq, "seq"), require(root, "merkle_root"));
    }

    private Manifest.LedgerHead ledgerHead() throws IOException {
        Long seq = null;
        String hash = null;
        for (String key : members("ledger_head")) {
            switch (key) {
                case "seq" -> seq = integer(key);
                case "entry_hash" -> hash = text(key);
                default -> throw new IllegalArgumentException("unknown field '" + key + "' in ledger_head");
            }
        }
        return new Manifest.LedgerHead(require(seq, "seq"), require(hash, "entry_hash"));
    }

    private List<Manifest.Database> databases() throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw new IllegalArgumentException("field 'databases' is not an array");
        List<Manifest.Database> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            Set<String> seen = new HashSet<>();
            String name = null, form = null, path = null, why = null;
            Long rows = null;
            Manifest.TableHead base = null, head = null;
            for (String key : members("databases")) {
                seen.add(key);
                switch (key) {
                    case "name" -> name = text(key);
                    case "form" -> form = text(key);
                    case "path" -> path = text(key);
                    case "rows" -> rows = integer(key);
                    case "base" -> base = nullable() ? null : tableHead(key);
                    case "head" -> head = tableHead(key);
                    case "why" -> why = nullable() ? null : text(key);
                    default -> throw new IllegalArgumentException("unknown field '" + key + "' in databases");
                }
            }
            for (String k : List.of("name", "form", "path", "rows", "base", "head", "why")) {
                if (!seen.contains(k)) throw new IllegalArgumentException("missing field '" + k + "' in databases");
            }
            out.add(new Manifest.Database(name, Manifest.Database.Form.fromWire(form), path, rows, base, head, why));
        }
        return out;
    }

    private Manifest.TableHead tableHead(String field) throws IOException {
        Long rowid = null, rows = null;
        String last = null;
        boolean lastSeen = false;
        for (String key : members(field)) {
            switch (key) {
                case "rowid" -> rowid = integer(key);
                case "rows" -> rows = integer(key);
                case "last_row_sha256" -> {
                    lastSeen = true;
                    last = nullable() ? null : text(key);
                }
                default -> throw new IllegalArgumentException("unknown field '" + key + "' in " + field);
            }
        }
        if (!lastSeen) throw new IllegalArgumentException("missing field 'last_row_sha256' in " + field);
        return new Manifest.TableHead(require(rowid, "rowid"), require(rows, "rows"), last);
    }

    private Manifest.ArchiveRef archive() throws IOException {
        String name = null, sha256 = null;
        Long size = null;
        for (String key : members("archive")) {
            switch (key) {
                case "name" -> name = text(key);
                case "size" -> size = integer(key);
                case "sha256" -> sha256 = text(key);
                default -> throw new IllegalArgumentException("unknown field '" + key + "' in archive");
            }
        }
        return new Manifest.ArchiveRef(require(name, "name"), require(size, "size"), require(sha256, "sha256"));
    }

    /** The member names of a small object, the parser left on each value in turn. */
    private Iterable<String> members(String field) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("field '" + field + "' is not an object");
        return () -> new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return p.nextToken() == JsonToken.FIELD_NAME;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String next() {
                try {
                    String key = p.currentName();
                    p.nextToken();
                    return key;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private boolean nullable() {
        return p.currentToken() == JsonToken.VALUE_NULL;
    }

    private String text(String key) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) throw new IllegalArgumentException("field '" + key + "' is not a string");
        return p.getText();
    }

    private long integer(String key) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new IllegalArgumentException("field '" + key + "' is not an integer");
        }
        return p.getLongValue();
    }

    private List<String> texts(String key) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) throw new IllegalArgumentException("field '" + key + "' is not an array");
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) throw new IllegalArgumentException("field '" + key + "' holds a non-string");
            out.add(p.getText());
        }
        return out;
    }

    private static <T> T require(T value, String key) {
        if (value == null) throw new IllegalArgumentException("missing field '" + key + "'");
        return value;
    }

    private static Instant instant(String text) {
        return instant("created_at", text);
    }

    private static Instant instant(String field, String text) {
        try {
            return IsoSeconds.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " '" + text + "' is not an ISO-8601 UTC time");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " '" + text + "' is not in the form 2025-10-23T14:00:00Z");
        }
    }
}
