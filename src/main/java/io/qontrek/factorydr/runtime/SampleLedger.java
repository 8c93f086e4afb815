package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;

import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Writes the federation side of a sample runtime: the hash-chained ledger (left in WAL mode) and
 * the nonce store holding every ledger nonce, as the anti-replay check expects after a restore.
 */
final class SampleLedger {
    private static final int BATCH = 10_000;
    private static final List<String> PEERS =
            List.of("factory-penang", "factory-johor", "factory-ipoh", "factory-kuantan", "factory-kuching");

    record Result(long rows, int peers, LedgerHead head) {}

    private final RuntimeLayout layout;
    private final SampleRuntime.Options options;
    private final RandomGenerator random;
    private final Progress progress;

    SampleLedger(RuntimeLayout layout, SampleRuntime.Options options, RandomGenerator random, Progress progress) {
        this.layout = layout;
        this.options = options;
        this.random = random;
        this.progress = progress;
    }

    Result write() throws IOException, SQLException {
        Files.createDirectories(layout.dataDir());
        List<String> peers = PEERS.subList(0, 3 + random.nextInt(3));
        TimeSpread spread = new TimeSpread(options.end(), options.days());
        long n = options.ledgerRows();
        String prevHash = Hex.ZERO;
        try (Connection ledger = SampleDatabases.openForBulkLoad(layout.ledgerDb());
             Connection nonces = SampleDatabases.openForBulkLoad(layout.nonceStoreDb())) {
            RuntimeSchemas.createLedger(ledger);
            RuntimeSchemas.createNonces(nonces);
            try (PreparedStatement insertEntry = ledger.prepareStatement(
                         LedgerEntry.INSERT);
                 PreparedStatement insertNonce = nonces.prepareStatement(
                         "INSERT INTO nonces (nonce, peer, first_seen) VALUES (?, ?, ?)")) {
                for (long seq = 1; seq <= n; seq++) {
                    LedgerEntry e = LedgerEntry.chained(prevHash, seq, String.format("batch-%012d", seq),
                            peers.get(random.nextInt(peers.size())), randomHex(16), randomHex(32),
                            spread.at(seq - 1, n).toString());
                    e.bind(insertEntry);
                    insertEntry.addBatch();
                    // 128 random bits: every nonce is new, so each is first seen at its own entry.
                    insertNonce.setString(1, e.nonce());
                    insertNonce.setString(2, e.peer());
                    insertNonce.setString(3, e.receivedAt());
                    insertNonce.addBatch();
                    if (seq % BATCH == 0) {
                        insertEntry.executeBatch();
                        insertNonce.executeBatch();
                        SampleRuntime.stopIfCancelled("ledger");
                    }
                    prevHash = e.entryHash();
                }
                insertEntry.executeBatch();
                insertNonce.executeBatch();
            }
            ledger.commit();
            nonces.commit();
            SampleDatabases.switchToWal(ledger);
        }
        progress.wrote(2, Files.size(layout.ledgerDb()) + Files.size(layout.nonceStoreDb()));
        return new Result(n, peers.size(), new LedgerHead(n, prevHash));
    }

    private String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Hex.encode(b);
    }
}
