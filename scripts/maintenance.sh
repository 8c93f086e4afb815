#!/usr/bin/env bash
# maintenance.js --task=TASK (runbook: 0 2 * * * maintenance.js --task=archive)
#   --task=archive   the daily proof archive [--date=YYYY-MM-DD, default yesterday] -> factory-dr backup proofs
# Any other task is bad usage (exit 2). Other arguments go to factory-dr unchanged.
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"

task=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --task=*) task="${1#--task=}" ;;
    --task) [ $# -ge 2 ] || usage "--task needs a value"; task="$2"; shift ;;
    *) rest+=("$1") ;;
  esac
  shift
done

case "$task" in
  archive) run_factory_dr backup proofs ${rest[@]+"${rest[@]}"} ;;
  "") usage "--task is required (known tasks: archive)" ;;
  *) usage "unknown --task=$task (known tasks: archive)" ;;
esac
