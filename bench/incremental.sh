#!/usr/bin/env bash
# factory-dr: what an incremental costs, by how much changed (issue #13: "cost is proportional to the change").
#
#   bench/incremental.sh [--proofs=100k] [--ledger=1m] [--changes=0.01%,1%]
#
# One runtime (N proofs over 120 days, L ledger rows with as many nonces, a receipt per proof), generated
# once and cached in bench/cache/incremental-N-L/ (git-ignored). On it: a full backup, then for each change
# C in turn, C of the proofs appended (bench/add-proofs.py: chained, signed, with digests and receipts)
# and C of the ledger appended (chained entries, each nonce recorded first), then `backup incremental`
# from a dropped page cache, timed by /usr/bin/time -v; last, an incremental with nothing changed.
# Each incremental builds on the one before, as in production. Afterwards the runtime gets its bytes
# back (the journals of add-proofs.py; the databases from a copy taken first).
#
# No stock pipeline is timed beside it: tar has no notion of "the rows a SQLite table gained", so any
# stock command would measure something else. The table says so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(cd "$here/.." && pwd)"
proofs_arg="100k"; ledger_arg="1m"; changes="0.01%,1%"
for arg in "$@"; do
  case "$arg" in
    --proofs=*) proofs_arg="${arg#--proofs=}" ;;
    --ledger=*) ledger_arg="${arg#--ledger=}" ;;
    --changes=*) changes="${arg#--changes=}" ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
count_of() { case "$1" in *[kK]) echo $(( ${1%?} * 1000 )) ;; *[mM]) echo $(( ${1%?} * 1000000 )) ;; *) echo "$1" ;; esac; }
proofs=$(count_of "$proofs_arg"); ledger=$(count_of "$ledger_arg")
[[ "$proofs" =~ ^[0-9]+$ && "$ledger" =~ ^[0-9]+$ && "$proofs" -ge 100 ]] \
  || { echo "bench: --proofs and --ledger are counts like 100k or 1m (at least 100 proofs)" >&2; exit 2; }

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
export ARCHIVE_ENCRYPTION_KEY="bench-archive-key-0123456789"
export FACTORY_SIGNING_SECRET="bench-signing-secret-0123456789"
export TOWER_SIGNING_SECRET="bench-tower-secret-0123456789"
fdr="$home/bin/factory-dr"
(cd "$home" && mvn -B -q -ntp -DskipTests package)   # the install step (bin/factory-dr never builds), not timed
"$fdr" --version >/dev/null   # and the class-data sharing archive, not timed either
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
mkdir -p "$home/bench/cache"
signing_key "$home/bench/cache"   # backup requires an Ed25519 key (FACTORY_SIGNING_KEY_FILE)

dir="$home/bench/cache/incremental-$proofs-$ledger"
runtime="$dir/runtime"; work="$dir/work"; archive="$work/archive"
if [ ! -d "$runtime/proof" ]; then
  echo "bench: generating the runtime ($proofs proofs, $ledger ledger rows) in $runtime (once; cached)"
  rm -rf "$dir"; mkdir -p "$dir"
  "$fdr" sample-runtime "$dir/runtime.tmp" --proofs="$proofs" --days=120 --ledger="$ledger" --log-mb=8 >/dev/null
  mv "$dir/runtime.tmp" "$runtime"
fi
rm -rf "$work"; mkdir -p "$work/saved"
export FACTORY_LOG_FILE="$work/factory-dr.log"

# the runtime is given back as it was: the databases from this copy, the proofs from their journals
cp -a "$runtime/data/." "$work/saved/"
cp -a "$runtime/logs/alerts" "$work/alerts.saved"
journals=()
put_back() {
  for (( i=${#journals[@]}-1; i>=0; i-- )); do
    [ -f "${journals[$i]}" ] && python3 "$here/add-proofs.py" undo "${journals[$i]}" >/dev/null
  done
  rm -f "$runtime"/data/*.db-wal "$runtime"/data/*.db-shm
  cp -a "$work/saved/." "$runtime/data/"
  rm -rf "$runtime/logs/alerts"; cp -a "$work/alerts.saved" "$runtime/logs/alerts"
}
trap put_back EXIT

append_ledger() { # N chained entries after the head, each nonce recorded first
  python3 - "$runtime/data" "$1" <<'EOF'
import datetime, hashlib, sqlite3, sys
data, n = sys.argv[1], int(sys.argv[2])
led = sqlite3.connect(data + "/federation_ledger.db"); non = sqlite3.connect(data + "/nonce_store.db")
row = led.execute("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
seq, prev = (row[0], row[1]) if row else (0, "0" * 64)
at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for i in range(n):
    seq += 1
    nonce, batch, peer = "bench-nonce-%d" % seq, "bench-batch-%d" % seq, "peer-bench"
    payload = hashlib.sha256(b"payload %d" % seq).hexdigest()
    h = hashlib.sha256(("%s|%d|%s|%s|%s|%s|%s" % (prev, seq, batch, peer, nonce, payload, at)).encode()).hexdigest()
    non.execute("INSERT INTO nonces VALUES (?,?,?)", (nonce, peer, at))
    led.execute("INSERT INTO ledger VALUES (?,?,?,?,?,?,?,?)", (seq, batch, peer, nonce, payload, at, prev, h))
    prev = h
non.commit(); led.commit()
EOF
}

cores=$(nproc); tick=$(getconf CLK_TCK)
busy_seconds() { awk -v t="$tick" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8) / t}' /proc/stat; }
rows=()
measure() { # label command...
  local label="$1"; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "  !!! PAGE CACHE NOT DROPPED before $label: its time may be too good !!!"
  local before after rc=0
  before=$(busy_seconds)
  /usr/bin/time -v -o "$work/time" "$@" > "$work/out" 2> "$work/err" || rc=$?
  after=$(busy_seconds)
  local wall rss own pct
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time")
  own=$(awk -F': ' '/User time|System time/ {s += $2} END {print s + 0}' "$work/time")
  pct=$(awk -v w="$wall" -v a="$before" -v b="$after" -v own="$own" -v c="$cores" \
    'BEGIN {if (w <= 0) {print 0; exit} p = 100 * ((b - a) - own) / (w * c); printf "%.0f", (p < 0 ? 0 : p)}')
  [ "$pct" -gt 20 ] && echo "  !!! MACHINE BUSY during $label: other processes used ${pct}% of the CPU; its time may be too slow !!!"
  [ "$rc" = 0 ] || { echo "  !!! $label FAILED (exit $rc): $(tail -1 "$work/err")"; }
  local size="-"
  local newest; newest="$(ls "$archive"/incremental/*.tar.gz.enc 2>/dev/null | tail -1 || true)"
  if grep -q "written and verified" "$work/out" && [ -n "$newest" ]; then size=$(stat -c %s "$newest"); fi
  local ledger_rows; ledger_rows=$(grep -o 'federation_ledger: [0-9,]* rows added' "$work/out" | grep -o '[0-9,]*' | tr -d , || true)
  rows+=("$(printf '%-26s %8s s %6s MB %12s B  %s' "$label" "$wall" "$rss" "$size" "${ledger_rows:+ledger delta $ledger_rows rows}$(grep -o 'neither.*changed' "$work/out" || true)")")
  echo "  ${rows[-1]}"
}

echo "bench: incremental cost, $cores cores, $(date -u +%FT%TZ); runtime $proofs proofs, $ledger ledger rows"
"$fdr" backup full --root="$runtime" --archive-dir="$archive" > "$work/full.out"
echo "  full written (not timed): $(ls "$archive"/full/*.tar.gz.enc)"
IFS=, read -r -a list <<< "$changes"
for c in "${list[@]}"; do
  pct="${c%\%}"
  np=$(awk -v n="$proofs" -v p="$pct" 'BEGIN {printf "%d", n * p / 100}'); nl=$(awk -v n="$ledger" -v p="$pct" 'BEGIN {printf "%d", n * p / 100}')
  [ "$np" -ge 1 ] || np=1; [ "$nl" -ge 1 ] || nl=1
  journal="$work/add-proofs-$pct.journal"; journals+=("$journal")
  python3 "$here/add-proofs.py" add "$runtime" "$np" "$journal" > /dev/null
  append_ledger "$nl"
  sleep 1 # archive names have one-second resolution
  measure "$c change (+$np proofs, +$nl rows)" "$fdr" backup incremental --root="$runtime" --archive-dir="$archive"
done
sleep 1
measure "nothing changed" "$fdr" backup incremental --root="$runtime" --archive-dir="$archive"

echo
echo "bench: backup incremental by change ($proofs proofs, $ledger ledger rows; wall, peak RSS, archive size)"
for r in "${rows[@]}"; do echo "  $r"; done
echo "  (no stock pipeline beside it: none takes 'the rows a table gained', so it would time something else)"
