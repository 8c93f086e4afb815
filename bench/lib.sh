# Shared by the bench scripts (sourced): measuring a step honestly. Each measured step starts from a
# dropped page cache, or a loud line says it did not; and a loud line says when other processes took
# a share of the machine during it. Counters warm_steps and busy_steps let the report repeat them.
warm_steps=0
busy_steps=0
cores=$(nproc)
tick=$(getconf CLK_TCK)
# the CPU seconds the whole machine has spent (/proc/stat: user nice system irq softirq)
busy_seconds() { awk -v t="$tick" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8) / t}' /proc/stat; }
others_busy() { # step wall before after own-cpu-seconds: a loud line when others took over 20% of the machine
  local pct
  pct=$(awk -v w="$2" -v a="$3" -v b="$4" -v own="$5" -v c="$cores" 'BEGIN {
    if (w <= 0) {print 0; exit} p = 100 * ((b - a) - own) / (w * c); printf "%.0f", (p < 0 ? 0 : p) }')
  if [ "$pct" -gt 20 ]; then
    busy_steps=$((busy_steps + 1))
    echo "  !!! MACHINE BUSY during $1: other processes used ${pct}% of the CPU; its time may be too slow !!!"
  fi
}
signing_key() { # cache-dir: the bench's Ed25519 signing key (FACTORY_SIGNING_KEY_FILE), made once there
  export FACTORY_SIGNING_KEY_FILE="$1/signing-key.pem"
  [ -f "$FACTORY_SIGNING_KEY_FILE" ] || "$fdr" keys init --file="$FACTORY_SIGNING_KEY_FILE" > /dev/null
}
drop_cache() { # before every measured step, so that each reads its input from disk
  sync
  if ! { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
    warm_steps=$((warm_steps + 1))
    echo "  !!! PAGE CACHE NOT DROPPED before $1 (needs root and a writable /proc/sys): its input may be cached, its time too good !!!"
  fi
}
elapsed_of() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
cpu_of() { awk -F': ' '/User time|System time/ {s += $2} END {print s + 0}' "$1"; }
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s}'; }
# timed: base command...  runs it from a dropped cache under /usr/bin/time -v into base.time/.out/.err;
# returns its exit status, after the busy check
timed() {
  local base="$1"; shift
  local rc=0 before after
  drop_cache "$(basename "$base")"
  before=$(busy_seconds)
  /usr/bin/time -v -o "$base.time" "$@" > "$base.out" 2> "$base.err" || rc=$?
  after=$(busy_seconds)
  others_busy "$(basename "$base")" "$(elapsed_of "$base.time")" "$before" "$after" "$(cpu_of "$base.time")"
  return $rc
}
