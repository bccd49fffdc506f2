#!/usr/bin/env bash
# Fencing on the test cluster:
#   fence-failure  the active haclusterd dies (its service keeps running) while the fence
#                  device is broken: the service stays blocked, never starts elsewhere;
#                  once the device works again the node is fenced and the service moves
#   fence-race     2 full nodes, two_node = true, the link between them is cut: both race
#                  to fence (the device fencing n1 has a delay): exactly one node survives.
#                  Repeated E2E_RACES (3) times on fresh clusters.
# Usage: e2e/fencing.sh [fence-failure|fence-race]...
set -uo pipefail
source "$(dirname "$0")/lib.sh"

fence_failure() {
  local a=$E2E_ACTIVE other i blocked=""
  other=$(for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && echo "$n"; done | head -1)
  echo "device unplugged by the test" >"$HATC_DIR/fence-broken"
  e2e_log "fence device broken; kill -9 haclusterd on $a"
  kill -9 "$(e2e_daemon_pid "$a")"
  E2E_NOT=$a
  local deadline=$(( $(date +%s) + 10 )) states=() st started=0
  while (( $(date +%s) < deadline )); do   # 10 s with a broken fence device
    st=$(e2e_status "$other" 's["service"]["state"]+"@"+str(s["service"]["node"])')
    [[ ${states[-1]:-} == "$st" ]] || states+=("$st")
    [[ $(cluster_exec "$other" systemctl --user is-active demo.service) == active ]] && { started=1; break; }
    sleep 0.2
  done
  check "the service never started on $other while fencing fails" test $started = 0
  check "status on $other reports the service blocked (states seen: ${states[*]})" e2e_contains " ${states[*]}" " blocked@"
  check "the journal shows no start on $other" e2e_not grep -q "^start $other " "$HATC_DIR/shared/demo-journal.log"
  local reason; reason=$(hactl_on "$other" status 2>&1 | grep -i -m1 -E 'fenc|block')
  e2e_log "status says: $reason"
  check "a fence attempt failed" grep -q "refused: fence-broken" "$HATC_DIR/fence.log"
  e2e_log "fence device repaired"
  rm -f "$HATC_DIR/fence-broken"
}

race_one() {
  e2e_log "cut n1 <-> n2 (two_node)"
  : >"$HATC_DIR/fence.log"
  cluster_cut n1 n2
  local i on
  for ((i = 0; i < 200; i++)); do   # up to ~20 s for the race to settle
    on=$(for n in n1 n2; do [[ $(cat "$HATC_DIR/nodes/$n/power") == on ]] && echo "$n"; done | xargs)
    [[ $on != "n1 n2" ]] && break
    sleep 0.1
  done
  sleep 3   # a late second fence would show now
  on=$(for n in n1 n2; do [[ $(cat "$HATC_DIR/nodes/$n/power") == on ]] && echo "$n"; done | xargs)
  check "exactly one node survives (on: ${on:-none})" test "$on" = n1 -o "$on" = n2
  E2E_DETAIL="survivor=${on:-none}"
  [[ $on == n1 ]] && E2E_NOT=n2
  [[ $on == n2 ]] && E2E_NOT=n1
  return 0
}

races=${E2E_RACES:-3}
(($#)) || set -- fence-failure fence-race
for s in "$@"; do
  case $s in
    fence-failure) e2e_scenario fence-failure fence_failure --variant witness --timings "${E2E_TIMINGS:-default}" ;;
    fence-race) for ((r = 1; r <= races; r++)); do
                  HATC_FENCE_ACTION=off e2e_scenario "fence-race-$r" race_one --variant two --timings "${E2E_TIMINGS:-default}"
                done ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done
exit $E2E_FAILED
