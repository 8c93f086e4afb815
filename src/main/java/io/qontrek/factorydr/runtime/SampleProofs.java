package io.qontrek.factorydr.runtime;

import io.qontrek.factorydr.config.RuntimeLayout;

import io.qontrek.factorydr.common.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Writes the proof chain of a sample runtime: the proof files, the daily digests over them and
 * the receipt index in data/receipts.db, all from one pass in seq order.
 */
final class SampleProofs {
    private static final int BATCH = 5_000;

    record Result(long proofFiles, long digestFiles, ProofHead head, LocalDate firstDay, LocalDate lastDay) {}

    private final RuntimeLayout layout;
    private final SampleRuntime.Options options;
    private final RandomGenerator random;
    private final Progress progress;

    SampleProofs(RuntimeLayout layout, SampleRuntime.Options options, RandomGenerator random, Progress progress) {
        this.layout = layout;
        this.options = options;
        this.random = random;
        this.progress = progress;
    }

    Result write() throws IOException, SQLException {
        Files.createDirectories(layout.digestsDir());
        Files.createDirectories(layout.dataDir());
        TimeSpread spread = new TimeSpread(options.end(), options.days());
        long n = options.proofs();
        long[] digestFiles = {0};
        DigestChain digests = new DigestChain(digest -> {
            writeFile(DailyDigest.path(layout.proofDir(), digest.day()), digest.toJson());
            digestFiles[0]++;
        });
        String prevRoot = Hex.ZERO;
        try (Connection db = SampleDatabases.openForBulkLoad(layout.receiptsDb())) {
            RuntimeSchemas.createReceipts(db);
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO receipts (proof_id, seq, merkle_root, signature, issued_at, file) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (long seq = 0; seq < n; seq++) {
                    Instant createdAt = spread.at(seq, n);
                    ProofFile proof = proof(seq, createdAt, prevRoot);
                    String fileName = ProofFile.fileName(seq);
                    writeFile(layout.proofDir().resolve(fileName), proof.toJson());
                    digests.add(seq, createdAt.atZone(ZoneOffset.UTC).toLocalDate(), proof.merkleRoot());
                    insert.setString(1, proof.proofId());
                    insert.setLong(2, seq);
                    insert.setString(3, proof.merkleRoot());
                    insert.setString(4, proof.towerReceipt().signature());
                    insert.setString(5, proof.towerReceipt().issuedAt());
                    insert.setString(6, fileName);
                    insert.addBatch();
                    if ((seq + 1) % BATCH == 0) {
                        insert.executeBatch();
                        SampleRuntime.stopIfCancelled("proof chain");
                    }
                    prevRoot = proof.merkleRoot();
                }
                insert.executeBatch();
            }
            db.commit();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        digests.finish();
        progress.wrote(1, Files.size(layout.receiptsDb()));
        return new Result(n, digestFiles[0], new ProofHead(n - 1, prevRoot),
                day(spread.at(0, n)), day(spread.at(n - 1, n)));
    }

    private ProofFile proof(long seq, Instant createdAt, String prevRoot) {
        List<byte[]> leaves = new ArrayList<>(options.leavesPerProof());
        List<String> hexLeaves = new ArrayList<>(options.leavesPerProof());
        for (int i = 0; i < options.leavesPerProof(); i++) {
            byte[] leaf = new byte[32];
            random.nextBytes(leaf);
            leaves.add(leaf);
            hexLeaves.add(Hex.encode(leaf));
        }
        String root = Hex.encode(MerkleTree.root(leaves));
        String proofId = ProofFile.proofId(seq);
        // The Tower answers a moment after the proof is sealed.
        String issuedAt = createdAt.plusSeconds(1).toString();
        return new ProofFile(ProofFile.SCHEMA, seq, proofId, createdAt.toString(), hexLeaves, root, prevRoot,
                new ProofFile.TowerReceipt(issuedAt, TowerReceipts.sign(options.towerSecret(), proofId, root, issuedAt)));
    }

    private void writeFile(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        progress.wrote(1, bytes.length);
    }

    private static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }
}
