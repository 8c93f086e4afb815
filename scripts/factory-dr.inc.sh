# Sourced by every scripts/*.sh: the runbook's script names as thin wrappers over bin/factory-dr.
# FACTORY_DR names the program to run (default: bin/factory-dr beside this directory). Each
# wrapper maps its runbook arguments onto a factory-dr command and execs it, so the exit status is
# factory-dr's: 0 done and verified, 1 a check or the operation failed, 2 bad usage or configuration.
set -euo pipefail

FACTORY_DR="${FACTORY_DR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bin/factory-dr}"

# run_factory_dr ARGS...: replaces this shell with factory-dr ARGS...
run_factory_dr() {
  exec "$FACTORY_DR" "$@"
}

# usage MESSAGE: one line on stderr and exit 2, as factory-dr does for bad usage.
usage() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}
