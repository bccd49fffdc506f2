#!/usr/bin/env bash
# Service failures on the witness cluster, migration_threshold = 2:
#   service-crash  kill -9 of demo.service on the active node: restarted in place
#                  (failure 1) keeping the VIP and the storage lock (sampled all along),
#                  killed again: it moves to the other node (failure 2)
# Usage: e2e/service.sh
set -uo pipefail
source "$(dirname "$0")/lib.sh"
export HATC_MIGRATION_THRESHOLD=2

service_crash() {
  local a=$E2E_ACTIVE p1 p2 i
  p1=$(e2e_demo_pid "$a")
  local log=$HATC_DIR/nodes/$a/haclusterd.log samples=$HATC_DIR/vip-during-restart
  local released; released=$(grep -c 'gave up the storage lock' "$log")
  # Who holds the VIP, every ~50 ms, while the unit restarts (bounded: 30 s at most).
  ( for ((i = 0; i < 600; i++)); do echo "$(cluster_vip_holders)" >>"$samples"; sleep 0.05; done ) &
  local sampler=$!
  e2e_log "kill -9 demo.service ($p1) on $a (failure 1 of 2)"
  kill -9 "$p1"
  for ((i = 0; i < 200; i++)); do
    p2=$(e2e_demo_pid "$a")
    [[ $p2 != 0 && $p2 != "$p1" && $(e2e_vip_node) == "$a" ]] && break
    sleep 0.1
  done
  sleep 0.5
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  check "restarted in place on $a (pid $p1 -> $p2)" test "$p2" != 0 -a "$p2" != "$p1" -a "$(e2e_vip_node)" = "$a"
  local total missing; total=$(wc -l <"$samples"); missing=$(grep -cvx "$a" "$samples")
  e2e_log "VIP holders sampled during the restart: $total samples, $missing without $a alone"
  check "$a held the VIP all through the restart ($missing of $total samples without it)" test "$missing" = 0 -a "$total" -gt 5
  check "$a kept the storage lock (no unlock logged)" test "$(grep -c 'gave up the storage lock' "$log")" = "$released"
  check "$a logged the restart in place" grep -q 'to restart in place (lock and addresses kept)' "$log"
  local f; f=$(e2e_status "$a" "s[\"service\"][\"failures\"][\"$a\"]")
  check "status counts 1 failure on $a (got: $f)" test "$f" = 1
  sleep 1
  e2e_log "kill -9 demo.service ($p2) on $a (failure 2 of 2)"
  kill -9 "$p2"
  E2E_NOT=$a
}

e2e_scenario service-crash service_crash --variant witness --timings "${E2E_TIMINGS:-default}"
exit $E2E_FAILED
