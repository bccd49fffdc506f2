#!/usr/bin/env bash
# Two nodes and the shared storage as tie-breaker ([quorum] two_node = true,
# tie_breaker = "storage"; HATC_TIEBREAKER=storage in cluster.sh):
#   split   the network between n1 and n2 cut for 10 s, both still on the storage: no fence,
#           no move, the service answers throughout, the other node's status says
#           "alive on storage only"; healed: still no fence, same node, same MainPID
#   crash   kill -9 of the active haclusterd and service: the survivor fences it (no
#           race_delay) and takes over; the failover time is in the PASS line
set -uo pipefail
source "$(dirname "$0")/lib.sh"
export HATC_TIEBREAKER=${E2E_TIEBREAKER-storage}   # E2E_TIEBREAKER= : the same scenarios without it (they must fail)

fence_calls() { grep -cE "action=(off|reboot) " "$HATC_DIR/fence.log" 2>/dev/null || true; }
demo_active() { [[ $(cluster_exec "$1" systemctl --user is-active demo.service) == active ]]; }

split() {
  local a=$E2E_ACTIVE other pid
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  pid=$(e2e_demo_pid "$a")
  : >"$HATC_DIR/fence.log"
  e2e_log "cut n1 <-> n2 for 10 s (both keep the storage)"
  cluster_cut n1 n2
  local i said=0
  for ((i = 0; i < 100; i++)); do   # 10 s
    hactl_on "$other" status 2>/dev/null | grep -q "alive on storage only" && said=1
    sleep 0.1
  done
  check "status on $other says the peer is alive on storage only" test $said = 1
  check "no fence during the split ($(fence_calls) calls)" test "$(fence_calls)" = 0
  check "the service is still on $a" demo_active "$a"
  check "never started on $other" e2e_not grep -q "^start $other " "$HATC_DIR/shared/demo-journal.log"
  cluster_heal n1 n2
  sleep 4
  check "no fence after the heal ($(fence_calls) calls)" test "$(fence_calls)" = 0
  check "same MainPID on $a after the heal" test "$(e2e_demo_pid "$a")" = "$pid"
  E2E_DETAIL="fences=$(fence_calls)"
}

crash() {
  local a=$E2E_ACTIVE other t0 t1
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  : >"$HATC_DIR/fence.log"
  e2e_log "kill -9 haclusterd and demo on $a"
  t0=$(date +%s%N)
  kill -9 "$(e2e_daemon_pid "$a")" "$(e2e_demo_pid "$a")"
  E2E_NOT=$a
  hatc_wait 20 "the service active on $other" demo_active "$other"
  t1=$(date +%s%N)
  check "$a was fenced before the takeover" grep -qE "action=(off|reboot) port=$a " "$HATC_DIR/fence.log"
  E2E_DETAIL="failover=$(( (t1 - t0) / 1000000 ))ms"
  e2e_log "failover in $(( (t1 - t0) / 1000000 )) ms"
}

(($#)) || set -- split crash
for s in "$@"; do
  case $s in
    split) e2e_scenario tiebreaker-split split --variant two --timings "${E2E_TIMINGS:-default}" ;;
    crash) e2e_scenario tiebreaker-crash crash --variant two --timings "${E2E_TIMINGS:-default}" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done
exit $E2E_FAILED
