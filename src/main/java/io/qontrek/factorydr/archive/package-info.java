/**
 * Archives: the mechanisms that write, read and verify factory-dr's encrypted archives, in pure Java
 * (Camel processors elsewhere call them).
 *
 * <p>Format (runtime contract, "Archives"): a POSIX/PAX tar with relative entry names whose last entry
 * is {@code manifest.json}, gzip-compressed, encrypted as {@code openssl enc -aes-256-cbc -pbkdf2 -iter
 * 10000}; beside it {@code X.sha256} (sha256sum format), the signed {@code X.manifest.json} and its detached
 * Ed25519 signature {@code X.manifest.json.sig} (io.qontrek.factorydr.signing; none on older archives).
 * Write chain: {@link io.qontrek.factorydr.archive.TarWriter} → {@link io.qontrek.factorydr.archive.Gzip}
 * → {@link io.qontrek.factorydr.archive.OpensslCipher} → file, each a step of the archive-store route
 * (routes/archive.camel.yaml; the encoders are read as streams through
 * {@link io.qontrek.factorydr.archive.EncodingInputStream}, the tar and the file are the backup
 * package's {@code TarStream} and {@code StagedArchive}); its mirror is
 * {@link io.qontrek.factorydr.archive.ArchiveReader}; {@link io.qontrek.factorydr.archive.ArchiveVerifier}
 * checks everything in one pass.
 *
 * <p>Invariants: everything streams (memory does not grow with archive size); stock {@code openssl},
 * {@code gzip}, {@code tar} and {@code sha256sum} read what we write; no entry name is absolute or
 * contains {@code ..}, and readers refuse links and devices; a failure is one
 * {@link io.qontrek.factorydr.archive.ArchiveException} line naming what failed, never a partial file.
 */
package io.qontrek.factorydr.archive;
