/**
 * Retention: which archives the runbook's policy lets go (daily proof archives 90 days, full
 * backups 30 days with their incrementals, alert logs 7 days, recovery proofs forever) and removing
 * them locally and offsite. {@link io.qontrek.factorydr.retention.RetentionPlanner} is a pure
 * function of the catalog, the day and the policy; every decision carries a one-line reason.
 * Invariants: the newest full backup is never removed; an incremental never outlives the full it
 * builds on, nor goes before it; no archive is removed while it is the only one holding some proof
 * seq or daily digest, nor while a tripwire holds it (the backup taken before one that saw the runtime
 * shrink, until that is acknowledged); nothing under archive/recovery-proofs/ is ever touched. Removal goes S3
 * objects, then local files (archive before its sidecars), then the catalog row last, so the
 * catalog is the to-do list a later run finishes from after a crash.
 */
package io.qontrek.factorydr.retention;
