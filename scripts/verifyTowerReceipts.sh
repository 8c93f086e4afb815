#!/usr/bin/env bash
# verifyTowerReceipts.js -> factory-dr verify receipts
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify receipts "$@"
