/**
 * The backup half: what goes into each kind of archive (full, incremental, daily proof, alerts),
 * consistent SQLite snapshots, config redaction, and the archive pipeline tar -> gzip -> encrypt
 * -> store. Invariants: one streaming pass whose memory does not grow with the runtime; an
 * archive appears under its final name only when complete, read back, verified and fsynced; an
 * existing archive is never overwritten; no secret value reaches an archive or the archive
 * directory.
 */
package io.qontrek.factorydr.backup;
