#!/usr/bin/env bash
# verifyArchive.sh FILE -> factory-dr verify archive FILE
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
[ $# -ge 1 ] || usage "usage: verifyArchive.sh FILE"
run_factory_dr verify archive "$@"
