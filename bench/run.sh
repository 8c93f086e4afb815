#!/usr/bin/env bash
# factory-dr against the tools an operator would use instead, on exactly the same input bytes.
#
#   bench/run.sh [--size=small|1.5g|3g] [--runs=3] [--only=restore,incremental]   (backup always runs)
#   bench/run.sh --files=250k,500k,1m [...]   the file-count series: bench/files.sh (see its --help)
#
# The contenders, each fed the file list of factory-dr's own full backup (its manifest's paths,
# bench/input-list.py), so that all read the same files:
#   gzip    tar | gzip -6 | openssl enc          (and back: openssl -d | gzip -d | tar -x)
#   pigz    tar | pigz -6 -p2 | openssl enc      (and back: openssl -d | pigz -d | tar -x)
#   restic  restic backup --files-from-raw       (Debian's package, installed when missing; its
#           repository on the same disk; and back: restic restore latest)
#   ours    factory-dr backup full / restore --archive (every byte verified and synced)
# The restores write everything but logs/, as factory-dr's does, and each ends with `sync -f` of what it
# wrote: factory-dr's restore makes its staging durable (syncfs) before the swap, so the others' time
# includes getting their bytes to the disk too. So do the stock backups (`sync FILE`, an fsync of
# the archive): ours fsyncs its archive before giving it its name, and restic's local backend syncs
# what it writes. The cached runtime's databases are compacted once (VACUUM), so that they are the
# size of the snapshots factory-dr archives. And an incremental after 1% new proofs
# (bench/add-proofs.py, undone after): ours in a process of its own, restic's second snapshot.
# Every step starts from a dropped page cache (or a loud line says it did not), and a loud line
# marks a step during which other processes took over 20% of the CPU.
# Each step runs --runs times; the report gives the median, the spread (min..max), the median peak
# RSS, and the bytes each contender read (backup) or wrote (restore). A ratio ours/other is printed
# only when the two byte counts are within 1%. The runtime is generated once per size and cached
# under bench/cache/ (git-ignored); the report is also written to bench/cache/run-<size>-report.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case " $* " in *" --files="*) exec "$here/files.sh" "$@" ;; esac
home="$(cd "$here/.." && pwd)"
size="1.5g"
runs=3
only="restore,incremental"
for arg in "$@"; do
  case "$arg" in
    --size=*) size="${arg#--size=}" ;;
    --runs=*) runs="${arg#--runs=}" ;;
    --only=*) only="${arg#--only=}" ;;
    -h|--help) sed -n "2,26p" "$0"; exit 0 ;;
    *) echo "bench: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]?$ ]] || { echo "bench: --runs must be a count from 1 to 99" >&2; exit 2; }
wants() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
for w in ${only//,/ }; do case "$w" in backup|restore|incremental) ;; *) echo "bench: --only takes restore and incremental (backup always runs)" >&2; exit 2 ;; esac; done

# Shapes of the runtime per size: tens of thousands of proofs, a ledger of over a million rows,
# hundreds of MB of recent logs at 1.5 GB.
case "$size" in
  small) proofs=5000;   ledger=50000;   logmb=40  ;;
  1.5g)  proofs=60000;  ledger=1200000; logmb=900 ;;
  3g)    proofs=120000; ledger=2400000; logmb=1900 ;;
  *) echo "bench: --size must be small, 1.5g or 3g" >&2; exit 2 ;;
esac

apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" > /dev/null; }
command -v /usr/bin/time >/dev/null || apt_install time
command -v pigz >/dev/null || apt_install pigz
command -v restic >/dev/null || apt_install restic
for tool in openssl tar gzip pigz restic python3 sha256sum sqlite3; do command -v "$tool" >/dev/null || { echo "bench: $tool missing" >&2; exit 2; }; done

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

cache="$home/bench/cache"
runtime="$cache/runtime-$size"
work="$cache/run-$size"
mkdir -p "$cache"
export ARCHIVE_ENCRYPTION_KEY="bench-archive-key-0123456789"
export FACTORY_SIGNING_SECRET="bench-signing-secret-0123456789"
export TOWER_SIGNING_SECRET="bench-tower-secret-0123456789"
export RESTIC_PASSWORD="$ARCHIVE_ENCRYPTION_KEY"
export FACTORY_LOG_FILE="$cache/factory-dr.log"
fdr="$home/bin/factory-dr"
(cd "$home" && mvn -B -q -ntp -DskipTests package)   # the install step (bin/factory-dr never builds), not timed
"$fdr" --version >/dev/null   # and the class-data sharing archive, not timed either
signing_key "$cache"   # backup requires an Ed25519 key (FACTORY_SIGNING_KEY_FILE)

if [ ! -d "$runtime/proof" ]; then
  echo "bench: generating the $size runtime in $runtime (once; cached)"
  rm -rf "$runtime" "$runtime.tmp"
  /usr/bin/time -f "  generated in %e s" "$fdr" sample-runtime "$runtime.tmp" --proofs=$proofs --days=30 --ledger=$ledger --log-mb=$logmb
  mv "$runtime.tmp" "$runtime"
fi
# Compact the databases once, so that they are the size of the snapshots factory-dr archives (VACUUM
# INTO drops free pages): otherwise the others read more bytes than factory-dr, and no ratio is fair.
if [ ! -f "$runtime/.bench-compacted" ]; then
  for db in "$runtime"/data/*.db; do sqlite3 "$db" 'PRAGMA journal_mode=DELETE; VACUUM;' > /dev/null; done
  touch "$runtime/.bench-compacted"
fi
journal="$cache/run-$size.add-proofs.journal"
# a run killed during the incremental left its new proofs in: take them out first
[ ! -f "$journal" ] || python3 "$here/add-proofs.py" undo "$journal" > /dev/null
trap '[ ! -f "$journal" ] || python3 "$here/add-proofs.py" undo "$journal" > /dev/null' EXIT
rm -rf "$work"; mkdir -p "$work"

declare -A WALLS RSSES BYTES   # by "step|contender": space-separated values of each run; bytes once
step_failed() { echo "bench: $1 failed (exit $2):"; tail -5 "$3.err"; exit 1; }
run_step() { # step contender run command...
  local step="$1" who="$2" run="$3"; shift 3
  local base="$work/$step-$who-$run" rc=0
  timed "$base" "$@" || rc=$?
  [ "$rc" = 0 ] || step_failed "$step ($who, run $run)" "$rc" "$base"
  WALLS[$step|$who]+="$(elapsed_of "$base.time") "
  RSSES[$step|$who]+="$(rss_of "$base.time") "
  printf '  run %s  %-12s %-7s %8.2f s %6s MB\n' "$run" "$step" "$who" "$(elapsed_of "$base.time")" "$(rss_of "$base.time")"
}
openssl_enc() { echo "openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -pass env:ARCHIVE_ENCRYPTION_KEY"; }

echo "bench: $size runtime in $runtime, $runs runs, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo '?')"
for r in $(seq "$runs"); do
  a="$work/archive-$r"; repo="$work/restic-$r"
  # --- backup ---
  # --- backup (every run: the restores and incrementals start from it) ---
  run_step backup ours "$r" "$fdr" backup full --root="$runtime" --archive-dir="$a"
  full="$(ls "$a"/full/*.tar.gz.enc | tail -1)"
  if [ "$r" = 1 ]; then
    stats="$(python3 "$here/input-list.py" "$full.manifest.json" "$runtime" "$work/input.list")" || { echo "bench: input-list.py failed" >&2; exit 1; }
    read -r list_files ours_in stock_in missing <<< "$stats"
    [ "$missing" = 0 ] || echo "  !!! $missing paths of the manifest are not in the runtime; the others read the other $list_files"
    BYTES[backup|ours]=$ours_in; BYTES[backup|gzip]=$stock_in; BYTES[backup|pigz]=$stock_in
    echo "  input: $list_files files, the paths of factory-dr's full (ours read $ours_in bytes: secrets redacted, databases as snapshots; the same paths on disk: $stock_in)"
  fi
  restic -r "$repo" init > /dev/null   # not timed
  # each archive ends on the disk, as ours (fsync before its rename) and restic's (its local backend syncs) do
  run_step backup gzip "$r" bash -o pipefail -c "tar -C '$runtime' --null -T '$work/input.list' -cf - | gzip -6 | $(openssl_enc) -out '$work/gzip-$r.tar.gz.enc' && sync '$work/gzip-$r.tar.gz.enc'"
  run_step backup pigz "$r" bash -o pipefail -c "tar -C '$runtime' --null -T '$work/input.list' -cf - | pigz -6 -p2 | $(openssl_enc) -out '$work/pigz-$r.tar.gz.enc' && sync '$work/pigz-$r.tar.gz.enc'"
  run_step backup restic "$r" bash -c "cd '$runtime' && restic -r '$repo' backup --json --files-from-raw '$work/input.list'"
  BYTES[backup|restic]=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("message_type") == "summary": print(m["total_bytes_processed"])' "$work/backup-restic-$r.out")
  if [ "$r" = 1 ]; then
    SIZES="ours $(stat -c %s "$full") gzip $(stat -c %s "$work/gzip-1.tar.gz.enc") pigz $(stat -c %s "$work/pigz-1.tar.gz.enc") restic $(du -sb "$repo" | cut -f1)"
  fi

  # --- restore of the full: every contender decrypts and inflates the whole archive and writes all but
  # logs/, as factory-dr's restore does (it archives the recent logs for the record, and puts back none)
  if wants restore; then
    run_step restore ours "$r" "$fdr" restore --archive="$full" --target="$work/out-ours-$r" --root="$runtime" --archive-dir="$a"
    mkdir -p "$work/out-gzip-$r" "$work/out-pigz-$r"
    run_step restore gzip "$r" bash -o pipefail -c "$(openssl_enc) -d -in '$work/gzip-$r.tar.gz.enc' | gzip -d | tar -C '$work/out-gzip-$r' --anchored --exclude=logs -xf - && sync -f '$work/out-gzip-$r'"
    run_step restore pigz "$r" bash -o pipefail -c "$(openssl_enc) -d -in '$work/pigz-$r.tar.gz.enc' | pigz -d | tar -C '$work/out-pigz-$r' --anchored --exclude=logs -xf - && sync -f '$work/out-pigz-$r'"
    run_step restore restic "$r" bash -c "restic -r '$repo' restore latest --exclude /logs --target '$work/out-restic-$r' && sync -f '$work/out-restic-$r'"
    if [ "$r" = 1 ]; then
      for w in ours gzip pigz; do BYTES[restore|$w]=$(tree_bytes "$work/out-$w-1"); done
      BYTES[restore|restic]=$(tree_bytes "$work/out-restic-1")
      # every contender gave back the same proofs as the runtime's: one hash over each proof/ tree
      tree_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
      want=$(tree_hash "$runtime/proof")
      for w in ours gzip pigz restic; do
        d=$(find "$work/out-$w-1" -type d -name proof -prune | head -1)   # restic may restore the runtime's whole path
        [ -n "$d" ] || { echo "bench: $w restored no proof/ directory" >&2; exit 1; }
        h=$(tree_hash "$d")
        [ "$h" = "$want" ] || { echo "bench: the proof/ $w restored differs from the runtime's ($h, not $want)" >&2; exit 1; }
      done
      echo "  every contender restored proof/ byte for byte (hash $want)"
    fi
    rm -rf "$work"/out-*-"$r"
  fi

  # --- incremental after 1% new proofs ---
  if wants incremental; then
    python3 "$here/add-proofs.py" add "$runtime" $(( proofs / 100 )) "$journal" > /dev/null
    run_step incremental ours "$r" "$fdr" backup incremental --root="$runtime" --archive-dir="$a"
    # restic reads the same list plus the new proofs (its own change detection decides what it stores)
    { cat "$work/input.list"; python3 -c 'import json,os,sys
j = json.load(open(sys.argv[1]))
for p in j["created"]:
    if p.endswith(".json") and os.path.exists(p): sys.stdout.write(os.path.relpath(p, j["root"]) + "\0")' "$journal"; } > "$work/input-inc.list"
    # its parent named: restic picks one by the same path set only, and this list has the new proofs too
    parent=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("message_type") == "summary": print(m["snapshot_id"])' "$work/backup-restic-$r.out")
    run_step incremental restic "$r" bash -c "cd '$runtime' && restic -r '$repo' backup --json --parent '$parent' --files-from-raw '$work/input-inc.list'"
    unchanged=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("message_type") == "summary": print(m["files_unmodified"])' "$work/incremental-restic-$r.out")
    [ "$unchanged" -gt 0 ] || { echo "bench: restic's incremental found no unchanged file: it did not use its parent" >&2; exit 1; }
    python3 "$here/add-proofs.py" undo "$journal" > /dev/null
  fi
  rm -rf "$repo" "$a" "$work"/gzip-"$r".* "$work"/pigz-"$r".*
done

# --- the report ---
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {if (NR == 0) {print "-"; exit} if (NR % 2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2}'; }
spread() { tr ' ' '\n' | grep . | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {if (NR) printf "%s..%s", lo, hi; else print "-"}'; }
report="$cache/run-$size-report.txt"
{
  echo
  echo "factory-dr against the alternatives: bench/run.sh --size=$size --runs=$runs ($(date -u +%Y-%m-%d), $(nproc) cores, commit $(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  [ "$warm_steps" = 0 ] || echo "!!! THE PAGE CACHE WAS NOT DROPPED before $warm_steps steps: those times are from a warm cache, too good !!!"
  [ "$busy_steps" = 0 ] || echo "!!! OTHER PROCESSES USED OVER 20% OF THE CPU during $busy_steps steps: those times are too slow; run again on a quiet machine !!!"
  printf '\n%-12s %-7s %9s %14s %8s %15s\n' step who "median s" "spread s" "RSS MB" "bytes"
  for step in backup restore incremental; do
    for who in ours gzip pigz restic; do
      [ -n "${WALLS[$step|$who]:-}" ] || continue
      printf '%-12s %-7s %9s %14s %8s %15s\n' "$step" "$who" "$(median <<< "${WALLS[$step|$who]}")" \
        "$(spread <<< "${WALLS[$step|$who]}")" "$(median <<< "${RSSES[$step|$who]}")" "${BYTES[$step|$who]:--}"
    done
  done
  echo "(bytes: backup, what each read; restore, what each wrote; incrementals read what each one's change detection asks for)"
  echo "(every archive and every restore ends on the disk: ours fsyncs its archive and syncfs its restore before the swap; the others sync their archive, and sync -f their restore)"
  echo "archive sizes (run 1): $SIZES"
  echo
  echo "ours / each, on the medians (printed only when the bytes agree within 1%), against the targets:"
  for step in backup restore; do
    for who in gzip pigz restic; do
      [ -n "${WALLS[$step|$who]:-}" ] && [ -n "${WALLS[$step|ours]:-}" ] || continue
      a="${BYTES[$step|ours]:-}"; b="${BYTES[$step|$who]:-}"
      d=$(awk -v a="$a" -v b="$b" 'BEGIN {if (b <= 0) {print 100; exit} d=(a-b)/b*100; if (d<0) d=-d; printf "%.2f", d}')
      target="-"
      case "$step/$who" in backup/pigz|restore/pigz|restore/restic) target="<= 1.00" ;; backup/restic) target="moonshot <= 1.00" ;; esac
      if awk -v d="$d" 'BEGIN {exit !(d > 1)}'; then
        printf '  %-8s vs %-7s  no ratio: the bytes differ by %s%%\n' "$step" "$who" "$d"
      else
        printf '  %-8s vs %-7s  %5s   (target %s; bytes differ by %s%%)\n' "$step" "$who" \
          "$(awk -v x="$(median <<< "${WALLS[$step|ours]}")" -v y="$(median <<< "${WALLS[$step|$who]}")" 'BEGIN {printf "%.2f", x/y}')" "$target" "$d"
      fi
    done
  done
  if [ -n "${WALLS[incremental|ours]:-}" ]; then
    printf '  %-8s vs %-7s  %5s   (target <= 0.50)\n' incremental restic \
      "$(awk -v x="$(median <<< "${WALLS[incremental|ours]}")" -v y="$(median <<< "${WALLS[incremental|restic]}")" 'BEGIN {printf "%.2f", x/y}')"
  fi
  max=0
  for k in "${!RSSES[@]}"; do case "$k" in *"|ours") for v in ${RSSES[$k]}; do [ "$v" -gt "$max" ] && max=$v; done ;; esac; done
  echo "  peak RSS of ours, any step and run: $max MB (target <= 384)"
} | tee "$report"
echo "(this report: $report; each step's output, errors and /usr/bin/time -v: $work/)"
