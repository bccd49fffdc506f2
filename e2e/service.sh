#!/usr/bin/env bash
# Service failures on the witness cluster, migration_threshold = 2:
#   service-crash  kill -9 of demo.service on the active node: restarted in place
#                  (failure 1), killed again: it moves to the other node (failure 2)
# Usage: e2e/service.sh
set -uo pipefail
source "$(dirname "$0")/lib.sh"
export HATC_MIGRATION_THRESHOLD=2

service_crash() {
  local a=$E2E_ACTIVE p1 p2 i
  p1=$(e2e_demo_pid "$a")
  e2e_log "kill -9 demo.service ($p1) on $a (failure 1 of 2)"
  kill -9 "$p1"
  for ((i = 0; i < 200; i++)); do
    p2=$(e2e_demo_pid "$a")
    [[ $p2 != 0 && $p2 != "$p1" && $(e2e_vip_node) == "$a" ]] && break
    sleep 0.1
  done
  check "restarted in place on $a (pid $p1 -> $p2)" test "$p2" != 0 -a "$p2" != "$p1" -a "$(e2e_vip_node)" = "$a"
  local f; f=$(e2e_status "$a" "s[\"service\"][\"failures\"][\"$a\"]")
  check "status counts 1 failure on $a (got: $f)" test "$f" = 1
  sleep 1
  e2e_log "kill -9 demo.service ($p2) on $a (failure 2 of 2)"
  kill -9 "$p2"
  E2E_NOT=$a
}

e2e_scenario service-crash service_crash --variant witness --timings "${E2E_TIMINGS:-default}"
exit $E2E_FAILED
