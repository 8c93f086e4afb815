#!/usr/bin/env bash
# rebuildReceiptIndex.js: the receipt index from the proof files -> factory-dr rebuild receipts
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr rebuild receipts "$@"
