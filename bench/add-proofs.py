#!/usr/bin/env python3
"""Appends new proofs to a runtime's proof chain, and takes them away again (bench/files.sh).

  add-proofs.py add ROOT COUNT JOURNAL    COUNT new proofs after the head, as the runtime would write them
  add-proofs.py undo JOURNAL              puts ROOT back exactly as it was before 'add'

'add' writes what the runtime contract asks of new proofs, so that every verifier still passes:
proof files continuing the chain (seq, prev_root, RFC 6962 merkle_root over random leaves, the
tower receipt signed with TOWER_SIGNING_SECRET), the daily digests from the head's day on
rewritten or added, and one data/receipts.db row per new proof. Their times spread evenly from the
head's created_at to now. The bytes are laid out as sample-runtime writes them (2-space JSON).

Before changing anything it writes JOURNAL: the files it creates, and a copy of each file it
rewrites (the head's digest, receipts.db). 'undo' deletes the one and moves the other back, so the
cached runtime is the same bytes (and mtimes) as before; a JOURNAL left by a killed run is undone
the same way, and the directories get their mtimes back.
"""
import datetime
import hashlib
import hmac
import json
import os
import random
import shutil
import sqlite3
import sys

ZERO = "0" * 64


def proof_name(seq):
    return "proof-%012d.json" % seq


def dump(obj):
    return (json.dumps(obj, indent=2) + "\n").encode("utf-8")


def merkle_root(leaves):
    """RFC 6962 section 2.1 Merkle Tree Hash over raw 32-byte leaves."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s):
    return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


def day_of(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).date()


def head_seq(proof_dir):
    best = None
    with os.scandir(proof_dir) as entries:
        for e in entries:
            n = e.name
            if n.startswith("proof-") and n.endswith(".json") and len(n) == 23 and (best is None or n > best):
                best = n
    if best is None:
        raise SystemExit("add-proofs: no proof files in " + proof_dir)
    return int(best[6:18])


def add(root, count, journal_path):
    secret = os.environ.get("TOWER_SIGNING_SECRET", "").encode("utf-8")
    if not secret:
        raise SystemExit("add-proofs: TOWER_SIGNING_SECRET is not set")
    if os.path.exists(journal_path):
        raise SystemExit("add-proofs: %s exists: undo it first" % journal_path)
    root = os.path.abspath(root)
    proof_dir = os.path.join(root, "proof")
    digest_dir = os.path.join(proof_dir, "digests")
    receipts = os.path.join(root, "data", "receipts.db")
    head = head_seq(proof_dir)
    with open(os.path.join(proof_dir, proof_name(head)), "rb") as f:
        head_proof = json.load(f)
    head_time = parse_iso(head_proof["created_at"])
    now = max(head_time, int(datetime.datetime.now(datetime.timezone.utc).timestamp()))
    seqs = range(head + 1, head + 1 + count)
    times = [head_time + (i + 1) * (now - head_time) // count for i in range(count)]
    first_day, last_day = day_of(head_time), day_of(times[-1])
    days = [first_day + datetime.timedelta(days=d) for d in range((last_day - first_day).days + 1)]

    # the journal first: whatever happens next, 'undo' knows what to take away
    backups = os.path.dirname(os.path.abspath(journal_path))
    journal = {"root": root, "created": [], "saved": [],
               "mtimes": [[d, os.stat(d).st_mtime_ns] for d in (proof_dir, digest_dir, os.path.dirname(receipts))]}
    for seq in seqs:
        journal["created"].append(os.path.join(proof_dir, proof_name(seq)))
    for d in days:
        path = os.path.join(digest_dir, "%s.json" % d)
        if os.path.exists(path):
            journal["saved"].append([path, os.path.join(backups, "add-proofs.saved.%s.json" % d)])
        else:
            journal["created"].append(path)
    journal["saved"].append([receipts, os.path.join(backups, "add-proofs.saved.receipts.db")])
    for suffix in ("-journal", "-wal", "-shm"):
        if not os.path.exists(receipts + suffix):
            journal["created"].append(receipts + suffix)
    tmp = journal_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(journal, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, journal_path)
    for original, copy in journal["saved"]:
        shutil.copy2(original, copy + ".tmp")  # a copy cut short is never put back
        os.replace(copy + ".tmp", copy)

    # the proofs
    rng = random.Random(head).randbytes  # the same new proofs every time from the same head
    prev_root = head_proof["merkle_root"]
    leaves_per_proof = len(head_proof["leaves"])
    rows = []
    roots_by_day = {}
    for seq, t in zip(seqs, times):
        leaves = [rng(32) for _ in range(leaves_per_proof)]
        root_hex = merkle_root(leaves).hex()
        proof_id = "p-%012d" % seq
        issued_at = iso(t + 1)
        signature = hmac.new(secret, (proof_id + "|" + root_hex + "|" + issued_at).encode("utf-8"), hashlib.sha256).hexdigest()
        proof = {"schema": "factory.proof.v1", "seq": seq, "proof_id": proof_id, "created_at": iso(t),
                 "leaves": [leaf.hex() for leaf in leaves], "merkle_root": root_hex, "prev_root": prev_root,
                 "tower_receipt": {"issued_at": issued_at, "signature": signature}}
        with open(os.path.join(proof_dir, proof_name(seq)), "wb") as f:
            f.write(dump(proof))
        rows.append((proof_id, seq, root_hex, signature, issued_at, proof_name(seq)))
        roots_by_day.setdefault(day_of(t), []).append((seq, root_hex))
        prev_root = root_hex

    # the digests, from the head's day on: that day's existing proofs first, then the new ones
    with open(os.path.join(digest_dir, "%s.json" % first_day), "rb") as f:
        first = json.load(f)
    prev_digest = first["prev_digest"]
    existing = []
    if first["first_seq"] is not None:
        for seq in range(first["first_seq"], first["last_seq"] + 1):
            with open(os.path.join(proof_dir, proof_name(seq)), "rb") as f:
                existing.append((seq, json.load(f)["merkle_root"]))
    for d in days:
        entries = (existing if d == first_day else []) + roots_by_day.get(d, [])
        text = prev_digest + "|" + str(d) + "".join("|" + r for _, r in entries)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        obj = {"schema": "factory.digest.v1", "date": str(d),
               "first_seq": entries[0][0] if entries else None, "last_seq": entries[-1][0] if entries else None,
               "prev_digest": prev_digest, "digest": digest}
        with open(os.path.join(digest_dir, "%s.json" % d), "wb") as f:
            f.write(dump(obj))
        prev_digest = digest

    # the receipt index
    db = sqlite3.connect(receipts)
    try:
        db.executemany("INSERT INTO receipts (proof_id, seq, merkle_root, signature, issued_at, file) VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.commit()
    finally:
        db.close()
    print("added proofs %d..%d (%s..%s), %d digest(s) written" % (seqs[0], seqs[-1], iso(times[0]), iso(times[-1]), len(days)))


def undo(journal_path):
    if not os.path.exists(journal_path):
        return
    with open(journal_path) as f:
        journal = json.load(f)
    for path in journal["created"]:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
    for original, copy in journal["saved"]:
        if os.path.exists(copy):
            os.replace(copy, original)
    for directory, mtime_ns in journal.get("mtimes", []):
        os.utime(directory, ns=(mtime_ns, mtime_ns))
    os.remove(journal_path)
    print("undone: %d created files removed, %d files put back" % (len(journal["created"]), len(journal["saved"])))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "add":
        add(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "undo":
        undo(sys.argv[2])
    else:
        sys.exit(__doc__)
