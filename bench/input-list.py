#!/usr/bin/env python3
"""The files a full backup reads, as a NUL-separated list for `tar --null -T` (bench/files.sh).

  input-list.py MANIFEST ROOT LIST    the paths of a full backup's manifest (its sidecar X.manifest.json)
  input-list.py --approximate ROOT LIST    no manifest: what a full would take, by its documented rules

Prints one line, "FILES OURS_BYTES STOCK_BYTES MISSING": the files listed, the bytes factory-dr
read (the manifest's sizes: config/key_registry.json redacted, the databases as snapshots), the
bytes of the same paths in ROOT as stock tar reads them, and paths of the manifest not in ROOT.
The approximate list (proof/, config/ but the secret files, data/*.db, logs changed in the last
48 h) gives OURS_BYTES = STOCK_BYTES; it stands in only when no full backup was written.
"""
import json
import os
import sys
import time


def from_manifest(manifest, root):
    with open(manifest, "rb") as f:
        files = json.load(f)["files"]
    return [(e["path"], e["size"]) for e in files]


def approximate(root):
    out = []
    now = time.time()

    def walk(top, keep):
        for d, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            for n in sorted(names):
                p = os.path.join(d, n)
                if os.path.isfile(p) and not os.path.islink(p) and keep(p, n):
                    out.append((os.path.relpath(p, root), os.path.getsize(p)))

    def secret(p, n):
        if n.endswith(".env") or n == ".env" or "secret" in n.lower():
            return True
        try:
            with open(p, "rb") as f:
                return b"PRIVATE KEY" in f.read(1 << 20)
        except OSError:
            return True

    walk("proof", lambda p, n: True)
    walk("config", lambda p, n: not secret(p, n))
    walk("data", lambda p, n: n.endswith(".db"))
    walk("logs", lambda p, n: now - os.path.getmtime(p) < 48 * 3600)
    return out


def main(args):
    if len(args) == 3 and args[0] == "--approximate":
        root, out = args[1], args[2]
        entries = approximate(root)
    elif len(args) == 3:
        manifest, root, out = args
        entries = from_manifest(manifest, root)
    else:
        sys.exit(__doc__)
    ours = stock = missing = 0
    with open(out, "wb") as f:
        for path, size in entries:
            ours += size
            try:
                stock += os.stat(os.path.join(root, path)).st_size
            except FileNotFoundError:
                missing += 1
                continue
            f.write(path.encode("utf-8") + b"\0")
    print(len(entries) - missing, ours, stock, missing)


if __name__ == "__main__":
    main(sys.argv[1:])
