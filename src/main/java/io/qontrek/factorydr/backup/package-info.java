/**
 * The backup half: what goes into each kind of archive (full, incremental, daily proof, alerts),
 * consistent SQLite snapshots, config redaction, and the archive pipeline tar -> gzip -> encrypt
 * -> store. Invariants: one streaming pass whose memory does not grow with the runtime; an
 * archive appears under its final name only when complete, read back, verified and fsynced, and its
 * manifest only with its Ed25519 signature ({@code .manifest.json.sig}, signed while staged); an
 * existing archive is never overwritten; no secret value reaches an archive or the archive
 * directory. Full and incremental backups are also tripwires ({@link
 * io.qontrek.factorydr.backup.ShrinkCheck}): one that sees the runtime shrink is still written, and
 * its signed manifest names what it saw.
 */
package io.qontrek.factorydr.backup;
