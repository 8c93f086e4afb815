package io.qontrek.factorydr.runtime;

import java.nio.file.Path;

/**
 * Where the runtime keeps its files (the contract's layout). Each directory can be placed on its
 * own, as production does with {@code /proof}, {@code /config}, {@code /data}, {@code /logs}.
 */
public record RuntimeLayout(Path proofDir, Path configDir, Path dataDir, Path logsDir, Path archiveDir) {

    public static final String LEDGER_DB = "federation_ledger.db";
    public static final String NONCE_DB = "nonce_store.db";
    public static final String RECEIPTS_DB = "receipts.db";
    public static final String PANIC_FLAG = "ATLAS_PANIC";
    public static final String KEY_REGISTRY = "key_registry.json";

    /** Every directory under one runtime root: root/proof, root/config, root/data, root/logs, root/archive. */
    public static RuntimeLayout under(Path root) {
        return new RuntimeLayout(root.resolve("proof"), root.resolve("config"), root.resolve("data"),
                root.resolve("logs"), root.resolve("archive"));
    }

    public Path digestsDir() {
        return proofDir.resolve(DailyDigest.DIRECTORY);
    }

    public Path ledgerDb() {
        return dataDir.resolve(LEDGER_DB);
    }

    public Path nonceDb() {
        return dataDir.resolve(NONCE_DB);
    }

    public Path receiptsDb() {
        return dataDir.resolve(RECEIPTS_DB);
    }

    public Path panicFlag() {
        return dataDir.resolve(PANIC_FLAG);
    }

    public Path keyRegistry() {
        return configDir.resolve(KEY_REGISTRY);
    }

    public Path alertLogsDir() {
        return logsDir.resolve("alerts");
    }
}
