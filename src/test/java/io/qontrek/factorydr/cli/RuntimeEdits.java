package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.runtime.DailyDigest;
import io.qontrek.factorydr.runtime.DigestChain;
import io.qontrek.factorydr.runtime.MerkleTree;
import io.qontrek.factorydr.runtime.ProofFile;
import io.qontrek.factorydr.runtime.TowerReceipts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;

/** What a live runtime does between backups, done to a test runtime: new proofs appended to the chain. */
final class RuntimeEdits {
    private RuntimeEdits() {}

    /** Appends n valid proofs after the current head, created now; returns their file names. */
    static List<String> appendProofs(Path root, int n, String towerSecret) throws Exception {
        Path proofDir = root.resolve("proof");
        long head;
        try (Stream<Path> s = Files.list(proofDir)) {
            head = s.map(p -> ProofFile.seqOfFileName(p.getFileName().toString())).filter(OptionalLong::isPresent)
                    .mapToLong(OptionalLong::getAsLong).max().orElseThrow();
        }
        String prev = ProofFile.read(proofDir.resolve(ProofFile.fileName(head))).merkleRoot();
        Random rnd = new Random(head);
        List<String> names = new ArrayList<>();
        for (long seq = head + 1; seq <= head + n; seq++) {
            List<String> leaves = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] b = new byte[32];
                rnd.nextBytes(b);
                leaves.add(HexFormat.of().formatHex(b));
            }
            String created = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            String merkleRoot = MerkleTree.rootHex(leaves);
            String id = ProofFile.proofId(seq);
            ProofFile p = new ProofFile(ProofFile.SCHEMA, seq, id, created, leaves, merkleRoot, prev,
                    new ProofFile.TowerReceipt(created, TowerReceipts.sign(towerSecret, id, merkleRoot, created)));
            Files.write(proofDir.resolve(ProofFile.fileName(seq)), p.toJson());
            names.add(ProofFile.fileName(seq));
            prev = merkleRoot;
        }
        rewriteDigests(proofDir);
        return names;
    }

    /** As the runtime keeps them: one chained digest a day, recomputed from every proof in seq order. */
    static void rewriteDigests(Path proofDir) throws Exception {
        List<Path> proofs;
        try (Stream<Path> s = Files.list(proofDir)) {
            proofs = s.filter(p -> ProofFile.seqOfFileName(p.getFileName().toString()).isPresent()).sorted().toList();
        }
        Path digests = Files.createDirectories(proofDir.resolve(DailyDigest.DIRECTORY));
        DigestChain chain = new DigestChain(d -> {
            try {
                Files.write(digests.resolve(DailyDigest.fileName(d.day())), d.toJson());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (Path p : proofs) {
            ProofFile f = ProofFile.read(p);
            chain.add(f.seq(), f.createdAt(), f.merkleRoot());
        }
        chain.finish();
    }
}
