package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * The runtime's three SQLite databases (runtime contract, "SQLite databases"), in the order backups
 * read them: the ledger first, then the nonce store (the runtime records a nonce before it appends the
 * ledger entry, so a nonce store read after the ledger holds every nonce of that ledger), then the
 * receipt index. Each has one table.
 */
public enum RuntimeDatabase {
    FEDERATION_LEDGER("federation_ledger", "ledger"),
    NONCE_STORE("nonce_store", "nonces"),
    RECEIPTS("receipts", "receipts");

    private final String dbName;
    private final String table;

    RuntimeDatabase(String dbName, String table) {
        this.dbName = dbName;
        this.table = table;
    }

    /** The name a manifest knows it by: federation_ledger, nonce_store, receipts. */
    public String dbName() {
        return dbName;
    }

    /** Its one table. */
    public String table() {
        return table;
    }

    /** Its file name under data/: federation_ledger.db. */
    public String fileName() {
        return dbName + ".db";
    }

    /** The name of its delta under data/: federation_ledger.delta.db. */
    public String deltaFileName() {
        return dbName + ".delta.db";
    }

    public Path live(RuntimeLayout layout) {
        return layout.dataDir().resolve(fileName());
    }

    /** In the order backups read them. */
    public static List<RuntimeDatabase> inOrder() {
        return List.of(values());
    }

    public static RuntimeDatabase byName(String dbName) {
        for (RuntimeDatabase d : values()) if (d.dbName.equals(dbName)) return d;
        throw new IllegalArgumentException("'" + dbName + "' is not one of the runtime's databases (federation_ledger, nonce_store, receipts)");
    }
}
