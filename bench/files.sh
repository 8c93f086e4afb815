#!/usr/bin/env bash
# factory-dr file-count series (issue #12): every command at each runtime size, so that growth with
# the number of proof files shows, and the stock pipeline on the same input bytes beside backup and restore.
#
#   bench/files.sh [--files=250k,500k,1m] [--fallback-heap=2g|none] [--step-timeout=SECONDS]
#   bench/run.sh --files=...          (the same: run.sh hands --files to this script)
#   bench/files.sh --files=20k,40k    quick mode, for development: a couple of minutes
#
# Each size N is a runtime of N proofs over 120 days (1m = 1,000,000), with the same small ledger and
# logs at every size, generated once and cached in bench/cache/files-N/ (git-ignored). On it, with
# bin/factory-dr's default heap, each step starts from a dropped page cache and is measured by
# /usr/bin/time -v (wall, peak RSS): backup full; the stock pipeline over the files of that full;
# verify archive; restore --archive into a new target (then, not timed: every proof file compared
# byte for byte); the stock reverse pipeline; an incremental after 1% new proofs (bench/add-proofs.py,
# undone afterwards); verify proofs; catalog rebuild (from an empty catalog); retention; list; and the
# HTTP API of a short-lived `serve` (schedules off). A step that fails shows FAILED with its last error
# line, and the series goes on. --fallback-heap: when backup full fails, a full is written untimed at
# that heap so that the steps that need one still run (none: they are skipped). The table at the end
# gives each step at each size, RSS max/min and time growth against the targets, and ours/stock.
# It is also written to bench/cache/files-report.txt. Exit status 1 when a step failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="$(cd "$here/.." && pwd)"
files="250k,500k,1m"
fallback_heap="2g"
step_timeout=3600
for arg in "$@"; do
  case "$arg" in
    --files=*) files="${arg#--files=}" ;;
    --fallback-heap=*) fallback_heap="${arg#--fallback-heap=}" ;;
    --step-timeout=*) step_timeout="${arg#--step-timeout=}" ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

# --- the sizes ------------------------------------------------------------------------------------
count_of() { # 250k -> 250000, 1m -> 1000000, 5000 -> 5000
  case "$1" in
    *[kK]) [[ "${1%?}" =~ ^[0-9]+$ ]] && echo $(( ${1%?} * 1000 )) ;;
    *[mM]) [[ "${1%?}" =~ ^[0-9]+$ ]] && echo $(( ${1%?} * 1000000 )) ;;
    *) [[ "$1" =~ ^[0-9]+$ ]] && echo "$1" ;;
  esac
}
IFS=, read -r -a labels <<< "$files"
declare -A count
for l in "${labels[@]}"; do
  count[$l]=$(count_of "$l") || true
  [ -n "${count[$l]}" ] && [ "${count[$l]}" -ge 100 ] || { echo "bench: --files: '$l' is not a count like 20k, 250k or 1m (at least 100)" >&2; exit 2; }
done
days=120            # every size spans the same days: the digests, logs and alert logs are the same
ledger=20000        # small and the same at every size, so that the series isolates the proof files
logmb=8

# --- tools, secrets, the jar ----------------------------------------------------------------------
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
command -v pigz >/dev/null || { apt-get update -qq && apt-get install -y -qq pigz; }
for tool in openssl tar pigz curl python3 timeout diff; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing" >&2; exit 2; }
done
export ARCHIVE_ENCRYPTION_KEY="bench-archive-key-0123456789"
export FACTORY_SIGNING_SECRET="bench-signing-secret-0123456789"
export TOWER_SIGNING_SECRET="bench-tower-secret-0123456789"
fdr="$home/bin/factory-dr"
cache="$home/bench/cache"
mkdir -p "$cache"
(cd "$home" && mvn -B -q -ntp -DskipTests package)   # the install step: bin/factory-dr never builds
"$fdr" --version >/dev/null   # prepares the class-data sharing archive first, so it is not timed
heap="$(FACTORY_PRINT_COMMAND=1 "$fdr" backup full 2>/dev/null | grep -o -- '-Xmx[^ ]*' | head -1 || true)"
heap_note="the launcher's default"
if [ -n "${FACTORY_HEAP:-}" ] || [ -n "${FACTORY_JAVA_OPTS:-}" ]; then
  heap_note="NOT THE DEFAULT: FACTORY_HEAP='${FACTORY_HEAP:-}' FACTORY_JAVA_OPTS='${FACTORY_JAVA_OPTS:-}'"
  echo "bench: !!! FACTORY_HEAP or FACTORY_JAVA_OPTS is set: these figures are not at the launcher's default heap !!!" >&2
fi

# --- measuring ------------------------------------------------------------------------------------
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
signing_key "$cache"   # backup requires an Ed25519 key (FACTORY_SIGNING_KEY_FILE)
last_line() { # the last words of a failed step: its stderr's last line, else its stdout's
  local line
  line="$(grep -v '^[[:space:]]*$' "$1.err" 2>/dev/null | tail -1 || true)"
  [ -n "$line" ] || line="$(grep -v '^[[:space:]]*$' "$1.out" 2>/dev/null | tail -1 || true)"
  printf '%s' "${line:0:200}"
}

declare -A ST WALL RSS NOTE   # by "step|size": ok, FAILED, TIMEOUT or SKIPPED; seconds; MB; a note
record() { # step status wall rss note
  local k="$1|$label"
  ST[$k]="$2"; WALL[$k]="$3"; RSS[$k]="$4"; NOTE[$k]="$5"
  local mark="$2"
  [ "$2" = ok ] || mark="!!! $2"
  [[ "$3" =~ ^[0-9.]+$ ]] && WALL[$k]="$(printf '%.2f' "$3")"
  printf '  %-6s %-38s %9s s %7s MB  %s%s\n' "$label" "${title[$1]}" "${WALL[$k]}" "$4" "$mark" "${5:+  ($5)}"
}
ok() { [ "${ST[$1|$label]:-}" = ok ]; }
measure() { # step command...: one step, from a dropped page cache, timed; a failure is recorded, never fatal
  local step="$1"; shift
  local base="$work/$step" rc=0 wall rss
  timed "$base" timeout -k 30 "$step_timeout" "$@" || rc=$?
  wall="$(elapsed_of "$base.time")"; rss="$(rss_of "$base.time")"
  case "$rc" in
    0) record "$step" ok "$wall" "$rss" "" ;;
    124) record "$step" TIMEOUT "$wall" "$rss" "still running after $step_timeout s, killed" ;;
    *) record "$step" FAILED "$wall" "$rss" "exit $rc: $(last_line "$base")" ;;
  esac
}
skip() { record "$1" SKIPPED - - "$2"; }

steps=(backup-full stock-backup verify-archive restore stock-restore incremental verify-proofs catalog-rebuild
       retention list serve governance-1 governance-3 healthz)
declare -A title=(
  [backup-full]="backup full"
  [stock-backup]="  stock: tar | pigz -6 -p2 | openssl enc"
  [verify-archive]="verify archive (the full)"
  [restore]="restore --archive (the full), new target"
  [stock-restore]="  stock: openssl -d | pigz -d | tar -x; sync -f"
  [incremental]="backup incremental (+1% new proofs)"
  [verify-proofs]="verify proofs"
  [catalog-rebuild]="catalog rebuild (empty catalog)"
  [retention]="retention"
  [list]="list"
  [serve]="serve: start-up s, peak RSS"
  [governance-1]="  GET /api/mcp/governance, 1st, cold"
  [governance-2]="  GET /api/mcp/governance, 2nd"
  [governance-3]="  GET /api/mcp/governance, 3rd, warm"
  [healthz]="  GET /api/mcp/healthz, cold"
)

# --- the cached runtime, and the trap that keeps it as generated -----------------------------------
# Two things write into the runtime: the incremental step's new proofs (add-proofs.py, undone from its
# journal) and factory-dr itself, which appends its alerts (a failed flow, a failing gate) to
# logs/alerts/factory-dr-<day>.log. logs/alerts/ is copied aside before the steps and put back after.
sizedir=""
journal=""
serve_pid=""
put_back_alerts() {
  local saved="$sizedir/alerts.saved" live="$sizedir/runtime/logs/alerts"
  [ -d "$saved" ] || return 0
  find "$live" -mindepth 1 -delete
  cp -a "$saved/." "$live/"
  touch -r "$saved" "$live"
  rm -rf "$saved"
}
cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  if [ -n "$journal" ] && [ -f "$journal" ]; then python3 "$here/add-proofs.py" undo "$journal" >/dev/null; fi
  if [ -n "$sizedir" ]; then put_back_alerts; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

runtime_for() { # label: generates the runtime of that size once; later runs reuse it
  local n="${count[$label]}" dir="$cache/files-${count[$label]}"
  local params="proofs=$n days=$days ledger=$ledger log-mb=$logmb"
  sizedir="$dir"
  journal="$dir/add-proofs.journal"
  # a run killed in its steps left its changes in: take them out first
  if [ -f "$journal" ]; then echo "bench: undoing the new proofs a killed run left in $dir/runtime"; python3 "$here/add-proofs.py" undo "$journal"; fi
  if [ -d "$dir/alerts.saved" ]; then echo "bench: putting back the alert logs a killed run left in $dir/runtime"; put_back_alerts; fi
  if [ ! -d "$dir/runtime/proof" ] || [ "$(cat "$dir/runtime.params" 2>/dev/null)" != "$params" ]; then
    echo "bench: generating the $label runtime ($params) in $dir/runtime (once; cached)"
    rm -rf "$dir"; mkdir -p "$dir"
    /usr/bin/time -f "  generated in %e s" "$fdr" sample-runtime "$dir/runtime.tmp" --proofs="$n" --days=$days --ledger=$ledger --log-mb=$logmb
    mv "$dir/runtime.tmp" "$dir/runtime"
    echo "$params" > "$dir/runtime.params"
  fi
  runtime="$dir/runtime"
  work="$dir/work"
  archive="$work/archive"
  rm -rf "$work"; mkdir -p "$work"
  export FACTORY_LOG_FILE="$work/factory-dr.log"
  cp -a "$runtime/logs/alerts" "$dir/alerts.saved"
  listing > "$work/runtime.before"
}
# files by size and mtime, directories by name only (a file made and deleted in one changes its mtime and size)
listing() { find "$runtime" \( -type d -printf '%P/\n' \) -o -printf '%P %y %s %T@\n' | sort; }
declare -A CHANGED
runtime_kept() { # after the steps: the cached runtime is as generated, or it says what changed
  put_back_alerts
  listing > "$work/runtime.after"
  if ! diff "$work/runtime.before" "$work/runtime.after" > "$work/runtime.diff"; then
    CHANGED[$label]="$(grep -c '^[<>]' "$work/runtime.diff") lines of $work/runtime.diff, first: $(grep -m1 '^[<>]' "$work/runtime.diff")"
    echo "  !!! THE BENCH CHANGED THE CACHED RUNTIME: ${CHANGED[$label]}"
  fi
}

declare -A OURS_IN STOCK_IN OURS_OUT STOCK_OUT LIST_NOTE HELPER

# --- one size ---------------------------------------------------------------------------------------
run_size() {
  runtime_for
  local common=(--root="$runtime" --archive-dir="$archive")
  local proofs_on_disk
  proofs_on_disk=$(find "$runtime/proof" -maxdepth 1 -name 'proof-*.json' | wc -l)
  echo "bench: $label: $proofs_on_disk proof files, $(du -sh --apparent-size "$runtime" | cut -f1) in $runtime"

  # backup full, and a helper full at a bigger heap when it fails, for the steps that need one
  measure backup-full "$fdr" backup full "${common[@]}"
  full="$(ls "$archive"/full/*.tar.gz.enc 2>/dev/null | tail -1 || true)"
  local of_full=""
  if [ -z "$full" ] && [ "$fallback_heap" != none ]; then
    echo "  !!! backup full FAILED at $heap: writing a helper full at -Xmx$fallback_heap (not timed) for the steps that need one"
    if FACTORY_HEAP="$fallback_heap" FACTORY_CDS=off "$fdr" backup full "${common[@]}" > "$work/helper-full.out" 2>&1; then
      full="$(ls "$archive"/full/*.tar.gz.enc | tail -1)"
      of_full="of the helper full written at -Xmx$fallback_heap"
      HELPER[$label]=1
    else
      echo "  !!! the helper full failed too: $(tail -1 "$work/helper-full.out")"
    fi
  fi
  local no_full="no full backup to work on (backup full failed)"

  # what the stock pipeline reads: the files of factory-dr's full, by its manifest
  local stats
  if [ -n "$full" ]; then
    stats="$(python3 "$here/input-list.py" "$full.manifest.json" "$runtime" "$work/input.list")"
    LIST_NOTE[$label]="the paths of the full's manifest"
  else
    stats="$(python3 "$here/input-list.py" --approximate "$runtime" "$work/input.list")"
    LIST_NOTE[$label]="APPROXIMATE: no manifest, the full's rules applied by find"
  fi
  read -r list_files ours_in stock_in list_missing <<< "$stats"
  OURS_IN[$label]=$ours_in; STOCK_IN[$label]=$stock_in
  [ "$list_missing" = 0 ] || echo "  !!! $list_missing paths of the manifest are not in the runtime; the stock pipeline reads the other $list_files"
  if ok backup-full; then :; else OURS_IN[$label]=""; fi
  measure stock-backup bash -o pipefail -c "tar -C '$runtime' --null -T '$work/input.list' -cf - | pigz -6 -p2 \
    | openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -pass env:ARCHIVE_ENCRYPTION_KEY -out '$work/stock.tar.gz.enc'"

  if [ -n "$full" ]; then
    measure verify-archive "$fdr" verify archive "$full" "${common[@]}"
    [ -z "$of_full" ] || NOTE[verify-archive|$label]="$of_full"
  else
    skip verify-archive "$no_full"
  fi

  # restore into a new target, then every proof file compared with the runtime's (not timed)
  if [ -n "$full" ]; then
    measure restore "$fdr" restore --archive="$full" --target="$work/restore-ours" "${common[@]}"
    if ok restore; then
      if diff -r -q "$runtime/proof" "$work/restore-ours/proof" > "$work/restore.diff" 2>&1; then
        NOTE[restore|$label]="all $proofs_on_disk proof files byte-equal${of_full:+; $of_full}"
      else
        ST[restore|$label]=FAILED
        NOTE[restore|$label]="restored proof/ differs: $(head -1 "$work/restore.diff")"
        echo "  !!! restore FAILED the check: $(wc -l < "$work/restore.diff") differences, first: $(head -1 "$work/restore.diff")"
      fi
      OURS_OUT[$label]=$(tree_bytes "$work/restore-ours")
      echo "         ${NOTE[restore|$label]}"
    fi
    rm -rf "$work/restore-ours"
  else
    skip restore "$no_full"
  fi
  if ok stock-backup; then
    mkdir -p "$work/restore-stock"
    measure stock-restore bash -o pipefail -c "openssl enc -d -aes-256-cbc -pbkdf2 -iter 10000 -pass env:ARCHIVE_ENCRYPTION_KEY \
      -in '$work/stock.tar.gz.enc' | pigz -d | tar -C '$work/restore-stock' -xf - && sync -f '$work/restore-stock'"
    local got
    got=$(find "$work/restore-stock" -type f | wc -l)
    STOCK_OUT[$label]=$(tree_bytes "$work/restore-stock")
    if ok stock-restore && [ "$got" != "$list_files" ]; then
      ST[stock-restore|$label]=FAILED; NOTE[stock-restore|$label]="$got files extracted, $list_files archived"
    fi
    rm -rf "$work/restore-stock"
  else
    skip stock-restore "no stock archive"
  fi

  # an incremental after 1% new proofs, continuing the chain; the runtime gets its bytes back after
  if [ -n "$full" ]; then
    local added=$(( count[$label] / 100 ))
    python3 "$here/add-proofs.py" add "$runtime" "$added" "$journal" > "$work/add-proofs.out"
    measure incremental "$fdr" backup incremental "${common[@]}"
    python3 "$here/add-proofs.py" undo "$journal" > /dev/null
    local inc
    inc="$(ls "$archive"/incremental/*.tar.gz.enc 2>/dev/null | tail -1 || true)"
    if ok incremental; then
      local took
      took=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$inc.manifest.json")
      NOTE[incremental|$label]="$added new proofs; the incremental holds $took files${of_full:+; on the helper full}"
      if [ "$took" -lt "$added" ]; then
        ST[incremental|$label]=FAILED; NOTE[incremental|$label]="only $took files for $added new proofs"
        echo "  !!! incremental FAILED the check: ${NOTE[incremental|$label]}"
      else
        echo "         ${NOTE[incremental|$label]}"
      fi
    fi
  else
    skip incremental "$no_full"
  fi

  measure verify-proofs "$fdr" verify proofs "${common[@]}"

  # catalog rebuild as after losing the catalog; the real one is put back for the steps after
  mkdir -p "$work/catalog-aside"
  mv "$archive"/catalog.db* "$work/catalog-aside/" 2>/dev/null || true
  measure catalog-rebuild "$fdr" catalog rebuild --from=local "${common[@]}"
  for f in "$archive"/catalog.db*; do [ -e "$f" ] && mv "$f" "$work/rebuilt.$(basename "$f")"; done
  mv "$work/catalog-aside"/catalog.db* "$archive/" 2>/dev/null || true

  measure retention "$fdr" retention "${common[@]}"
  measure list "$fdr" list "${common[@]}"
  serve_steps
  runtime_kept
}

# --- the HTTP API of a short-lived service ---------------------------------------------------------
serve_steps() {
  local port t0 t1 code secs
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  drop_cache serve
  local busy_before
  busy_before=$(busy_seconds)
  t0=$(date +%s.%N)
  (
    for f in proof-daily-archive alert-archive backup-full backup-incremental offsite-catch-up retention verify-daily drill-quarterly; do
      export "FACTORY_SCHEDULE_$(echo "$f" | tr a-z- A-Z_)_ENABLED=false"
    done
    FACTORY_HTTP_PORT=$port exec "$fdr" serve --root="$runtime" --archive-dir="$archive"
  ) > "$work/serve.out" 2>&1 &   # its log goes to stderr
  serve_pid=$!
  local deadline=$(( $(date +%s) + step_timeout ))
  until grep -q "started in" "$work/serve.out" 2>/dev/null; do
    if ! kill -0 "$serve_pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    sleep 0.1
  done
  t1=$(date +%s.%N)
  if ! grep -q "started in" "$work/serve.out" 2>/dev/null; then
    record serve FAILED "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b-a}')" - "did not start: $(last_line "$work/serve")"
    for s in governance-1 governance-3 healthz; do skip $s "no service"; done
    kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
    return
  fi
  # The service evaluates the gates once, a second after it starts (governance-watch, which alerts on
  # failing gates: a bench runtime has no drill nor offsite copy); the requests do not race it.
  local watch_deadline=$(( $(date +%s) + 300 ))
  until grep -q "governance-watch:" "$work/serve.out"; do
    if ! kill -0 "$serve_pid" 2>/dev/null || [ "$(date +%s)" -ge "$watch_deadline" ]; then
      echo "  !!! the service's first governance evaluation was not seen in its log within 300 s; requesting anyway"
      break
    fi
    sleep 0.1
  done
  get() { # step path (cache dropped first when asked)
    local out="$work/$1.body"
    code="000"; secs="-"
    read -r code secs < <(curl -s -o "$out" -w '%{http_code} %{time_total}\n' --max-time "$step_timeout" "http://127.0.0.1:$port$2" || echo "000 -")
    if [ "$code" = 200 ] || { [ "$1" = healthz ] && [ "$code" = 503 ]; }; then
      record "$1" ok "$secs" - "HTTP $code"
    else
      record "$1" FAILED "$secs" - "HTTP $code: $(head -c 150 "$out" 2>/dev/null | tr '\n' ' ')"
    fi
  }
  drop_cache governance-1; get governance-1 /api/mcp/governance
  get governance-2 /api/mcp/governance > /dev/null
  get governance-3 /api/mcp/governance
  drop_cache healthz; get healthz /api/mcp/healthz
  # the launcher execs java: the service is this very process
  local hwm own startup
  startup=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b-a}')
  if kill -0 "$serve_pid" 2>/dev/null; then
    hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$serve_pid/status")
    own=$(awk -v t="$tick" '{print ($14 + $15) / t}' "/proc/$serve_pid/stat")
    others_busy "serve and its requests" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b-a}')" "$busy_before" "$(busy_seconds)" "$own"
    record serve ok "$startup" "$hwm" "peak RSS after the requests"
  else
    record serve FAILED "$startup" - "the service died: $(last_line "$work/serve")"
  fi
  kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
}

# --- the series -------------------------------------------------------------------------------------
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "bench: file-count series ${labels[*]}, $(nproc) cores, $started; heap $heap ($heap_note)"
for label in "${labels[@]}"; do run_size; done

# --- the report -------------------------------------------------------------------------------------
num() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
first="${labels[0]}"; last="${labels[${#labels[@]}-1]}"
files_ratio=$(awk -v a="${count[$last]}" -v b="${count[$first]}" 'BEGIN {printf "%.2f", a/b}')
time_target=$(awk -v r="$files_ratio" 'BEGIN {printf "%.2f", r * 1.125}')   # 4.5 for 250k..1m: linear, 12.5% slack
report="$cache/files-report.txt"
{
  echo
  echo "factory-dr file-count series: bench/files.sh --files=$files   ($started, $(nproc) cores, heap $heap, $heap_note)"
  echo "runtimes: N proofs over $days days, ledger $ledger rows, $logmb MB of logs; every step from a dropped page cache"
  [ "$warm_steps" = 0 ] || echo "!!! THE PAGE CACHE WAS NOT DROPPED before $warm_steps steps: those times are from a warm cache !!!"
  [ "$busy_steps" = 0 ] || echo "!!! OTHER PROCESSES USED OVER 20% OF THE CPU during $busy_steps steps (the lines marked MACHINE BUSY above): their times are too slow !!!"
  printf '\n%-40s' "command"
  for l in "${labels[@]}"; do printf ' %10s %7s' "$l wall s" "RSS MB"; done
  if [ "$first" = "$last" ]; then growth_head="time growth"; growth_target="(one size)"
  else growth_head="time $last/$first"; growth_target="<= $time_target"; fi
  printf '  %-13s %-18s %s\n' "RSS max/min" "$growth_head" "max RSS"
  printf '%-40s' "(targets)"
  for l in "${labels[@]}"; do printf ' %10s %7s' "" ""; done
  printf '  %-13s %-18s %s\n' "<= 1.15" "$growth_target" "<= 512 (384)"
  for s in "${steps[@]}"; do
    printf '%-40s' "${title[$s]}"
    lo=""; hi=""; all_ok=1; max=0
    for l in "${labels[@]}"; do
      st="${ST[$s|$l]:-}"; w="${WALL[$s|$l]:--}"; r="${RSS[$s|$l]:--}"
      [ "$st" = ok ] || { all_ok=0; w="${st:-?}"; }
      case "$s" in verify-archive|restore|incremental) [ -z "${HELPER[$l]:-}" ] || w="$w+" ;; esac
      printf ' %10s %7s' "$w" "$r"
      if num "$r"; then
        [ "$r" -gt "$max" ] && max=$r
        if [ "$st" = ok ]; then
          { [ -z "$lo" ] || [ "$r" -lt "$lo" ]; } && lo=$r
          { [ -z "$hi" ] || [ "$r" -gt "$hi" ]; } && hi=$r
        fi
      fi
    done
    growth="-"; tgrowth="-"; peak="-"
    if [ "$first" = "$last" ]; then :   # one size: no growth
    elif [ "$all_ok" = 1 ] && [ -n "$lo" ] && [ "$lo" -gt 0 ]; then
      growth=$(awk -v a="$hi" -v b="$lo" 'BEGIN {r=a/b; printf "%.2f %s", r, (r <= 1.15 ? "ok" : "OVER")}')
    elif [ "$all_ok" = 0 ]; then growth="n/a"; fi
    wf="${WALL[$s|$first]:-}"; wl="${WALL[$s|$last]:-}"
    if [ "$all_ok" = 1 ] && num "$wf" && num "$wl" && [ "$first" != "$last" ]; then
      tgrowth=$(awk -v a="$wl" -v b="$wf" -v t="$time_target" 'BEGIN {if (b <= 0) {print "-"; exit} r=a/b; printf "%.2f %s", r, (r <= t ? "ok" : "OVER")}')
    elif [ "$all_ok" = 0 ]; then tgrowth="n/a"; fi
    [ "$max" -gt 0 ] && peak=$(awk -v m="$max" 'BEGIN {printf "%d %s", m, (m <= 384 ? "ok" : (m <= 512 ? "ok (>384)" : "OVER"))}')
    [ "$max" -gt 0 ] && [ "$all_ok" = 0 ] && peak="$max (when it failed)"
    printf '  %-13s %-18s %s\n' "$growth" "$tgrowth" "$peak"
  done
  echo "(wall s of a GET is curl's time_total; a service's peak RSS is on its 'serve' line)"
  [ -z "${HELPER[*]:-}" ] || echo "(+: on the helper full written at -Xmx$fallback_heap, since backup full failed at $heap)"

  echo
  echo "against the stock pipeline, on the same files (target: ours <= 1.20x stock)"
  printf '%-7s %-8s %9s %9s %15s %15s %7s  %s\n' size step "ours s" "stock s" "ours bytes" "stock bytes" ratio ""
  for l in "${labels[@]}"; do
    for pair in "backup:backup-full:stock-backup:OURS_IN:STOCK_IN" "restore:restore:stock-restore:OURS_OUT:STOCK_OUT"; do
      IFS=: read -r name ours stock ob sb <<< "$pair"
      declare -n obytes="$ob" sbytes="$sb"
      a="${obytes[$l]:-}"; b="${sbytes[$l]:-}"
      wo="${WALL[$ours|$l]:--}"; ws="${WALL[$stock|$l]:--}"
      ratio=""; why=""
      if [ "${ST[$ours|$l]:-}" != ok ]; then why="no ratio: ours ${ST[$ours|$l]:-not run}"; wo="${ST[$ours|$l]:--}"
      elif [ "${ST[$stock|$l]:-}" != ok ]; then why="no ratio: stock ${ST[$stock|$l]:-not run}"
      elif ! num "$a" || ! num "$b" || [ "$b" = 0 ]; then why="no ratio: bytes unknown"
      else
        diff_pct=$(awk -v a="$a" -v b="$b" 'BEGIN {d=(a-b)/b*100; if (d<0) d=-d; printf "%.2f", d}')
        if awk -v d="$diff_pct" 'BEGIN {exit !(d > 1)}'; then why="no ratio: the inputs differ by $diff_pct%"
        else
          ratio=$(awk -v x="$wo" -v y="$ws" 'BEGIN {printf "%.2f", x/y}')
          why=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.2 ? "ok" : "MISSED")}')"  (bytes differ by $diff_pct%)"
        fi
      fi
      printf '%-7s %-8s %9s %9s %15s %15s %7s  %s\n' "$l" "$name" "$wo" "$ws" "${a:--}" "${b:--}" "${ratio:--}" "$why"
      unset -n obytes sbytes
    done
  done
  echo "(backup bytes: ours the manifest's sizes, stock the same paths on disk; restore bytes: the files each wrote)"
  for l in "${labels[@]}"; do echo "stock input at $l: ${LIST_NOTE[$l]:-}"; done

  failures=0
  for l in "${labels[@]}"; do for s in "${steps[@]}"; do
    st="${ST[$s|$l]:-}"
    if [ -n "$st" ] && [ "$st" != ok ]; then
      [ "$failures" = 0 ] && { echo; echo "!!! NOT OK:"; }
      failures=$((failures + 1))
      printf '!!!   %-6s %-38s %-8s %s\n' "$l" "${title[$s]}" "$st" "${NOTE[$s|$l]}"
    fi
  done; done
  [ "$failures" = 0 ] && { echo; echo "every step exited 0 at every size"; }
  for l in "${labels[@]}"; do
    [ -z "${CHANGED[$l]:-}" ] || echo "!!! THE CACHED $l RUNTIME WAS CHANGED BY THE BENCH: ${CHANGED[$l]}"
  done
} | tee "$report"
echo "(this report: $report; each step's output, errors and /usr/bin/time -v: bench/cache/files-N/work/)"
# exit 1 when a step failed (a missed target is not a failure)
for k in "${!ST[@]}"; do [ "${ST[$k]}" = ok ] || exit 1; done
