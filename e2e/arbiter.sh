#!/usr/bin/env bash
# Two nodes and the shared storage as tie-breaker ([quorum] two_node = true,
# tie_breaker = "storage"; HATC_TIEBREAKER=storage in cluster.sh):
#   split   hactl check-storage on each node: the arbiter works, the peer's heartbeat advances
#           in this node's reads; then the network between n1 and n2 cut for 10 s, both still on the storage: no fence,
#           no move, the service answers throughout, the other node's status says
#           "alive on storage only"; healed: still no fence, same node, same MainPID
#   crash   kill -9 of the active haclusterd and service: the survivor fences it (no
#           race_delay) and takes over; the failover time is in the PASS line
# No BMC (HATC_FENCE=storage: the storage fence device is the only one; watchdog 3 s, msgwait 6 s):
#   pill-frozen  a network split plus SIGSTOP of the active haclusterd: its watchdog resets it, the survivor writes
#                the poison pill, waits msgwait, sees the heartbeat stopped and takes over
#                (after the reset: the journal shows no overlap)
#   pill-read    `hactl fence` of the standby node: it reads the pill in its mailbox and fences
#                itself at once; the fence succeeds after msgwait; the service never moves
#   cut-error    the active node's storage answers EIO (faultfs): it releases (storage lost)
#                and the other node takes over without a fence
#   cut-hang     the active node's storage hangs: its release hangs on the storage, its
#                watchdog resets it within watchdog_timeout, the survivor fences it with the
#                pill and takes over
set -uo pipefail
source "$(dirname "$0")/lib.sh"
export HATC_TIEBREAKER=${E2E_TIEBREAKER-storage}   # E2E_TIEBREAKER= : the same scenarios without it (they must fail)

fence_calls() { grep -cE "action=(off|reboot) " "$HATC_DIR/fence.log" 2>/dev/null || true; }
demo_active() { [[ $(cluster_exec "$1" systemctl --user is-active demo.service) == active ]]; }

# hactl check-storage on NODE: its arbiter findings, and PEER's heartbeat advancing in NODE's reads
arbiter_checked() { # node peer
  hactl_on "$1" --json check-storage /srv/hashared 2>/dev/null | python3 -c '
import json, sys
found = [f for f in json.load(sys.stdin)["findings"] if f["check"] == "arbiter"]
peer = [f for f in found if f.get("node") == sys.argv[1]]
sys.exit(0 if found and all(f["status"] == "ok" for f in found) and peer and "advances" in peer[0]["detail"] else 1)' "$2"
}

split() {
  local a=$E2E_ACTIVE other pid
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  pid=$(e2e_demo_pid "$a")
  sleep 2   # a verdict on the peer needs storage_timeout of reads
  check "check-storage on n1: the arbiter works, n2's heartbeat advances in n1's reads" arbiter_checked n1 n2
  check "check-storage on n2: the arbiter works, n1's heartbeat advances in n2's reads" arbiter_checked n2 n1
  check "the daemons refuse to probe a path that is not the configured storage" \
    e2e_contains "$(hactl_on n1 --json check-storage /tmp 2>/dev/null)" "only the configured storage path /srv/hashared"
  : >"$HATC_DIR/fence.log"
  e2e_log "cut n1 <-> n2 for 10 s (both keep the storage)"
  cluster_cut n1 n2
  local i said=0
  for ((i = 0; i < 100; i++)); do   # 10 s
    hactl_on "$other" status 2>/dev/null | grep "alive on storage only" >/dev/null && said=1
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

# events of kind KIND in `hactl events` on NODE (JSON lines)
events_of() {
  hactl_on "$1" events --json 2>/dev/null |
    python3 -c 'import json,sys; print(sum(e["kind"] == sys.argv[1] for e in json.load(sys.stdin)["events"]))' "$2" 2>/dev/null || echo 0
}
# NODE released for its storage: the disk heartbeat's arbiter.storage-lost, or the lock check
# (every monitor_interval) failing first with the storage lock lost (both are EIO on the mount).
storage_lost_said() { # node
  [[ $(events_of "$1" arbiter.storage-lost) -ge 1 ]] && return 0
  hactl_on "$1" events --json 2>/dev/null | python3 -c '
import json, sys
events = json.load(sys.stdin)["events"]
sys.exit(0 if any(e["kind"] == "service.failed" and "storage lock" in e["message"] for e in events) else 1)'
}
# ms between the first arbiter.poison-written and the next fence.succeeded in NODE's events
pill_to_success_ms() {
  hactl_on "$1" events --json 2>/dev/null | python3 -c '
import json, sys
ev = json.load(sys.stdin)["events"]
pill = next(e["time"] for e in ev if e["kind"] == "arbiter.poison-written")
done = next(e["time"] for e in ev if e["kind"] == "fence.succeeded" and e["time"] >= pill)
print(int((done - pill) * 1000))' 2>/dev/null
}
first_line() { grep -m1 -E "$2" "$1" | cut -d' ' -f1; }

pill_frozen() {
  local a=$E2E_ACTIVE other t0 t1 reset
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  : >"$HATC_DIR/fence.log"
  e2e_log "cut n1 <-> n2 and SIGSTOP haclusterd on $a (no BMC: the poison pill is the only fence)"
  t0=$(date +%s%N)
  cluster_cut n1 n2
  cluster_pause "$a"
  E2E_NOT=$a
  hatc_wait 40 "the service active on $other" demo_active "$other"
  t1=$(date +%s%N)
  reset=$(first_line "$HATC_DIR/fence.log" "^[0-9]+ $a watchdog reset")
  check "$a was reset by its watchdog" test -n "$reset"
  check "the survivor wrote the pill and the fence succeeded" \
    test "$(events_of "$other" arbiter.poison-written)" -ge 1 -a "$(events_of "$other" fence.succeeded)" -ge 1
  check "no agent was run" e2e_not grep -qE "action=(off|reboot) " "$HATC_DIR/fence.log"
  local waited; waited=$(pill_to_success_ms "$other")
  check "the fence succeeded no sooner than msgwait (6 s) after the pill (${waited} ms)" test "${waited:-0}" -ge 6000
  E2E_DETAIL="pill_to_fenced=${waited}ms failover=$(( (t1 - t0) / 1000000 ))ms reset_after=$(( (${reset:-$t0} - t0) / 1000000 ))ms"
  e2e_log "failover in $(( (t1 - t0) / 1000000 )) ms, watchdog reset $(( (${reset:-$t0} - t0) / 1000000 )) ms after SIGSTOP"
}

pill_read() {
  local a=$E2E_ACTIVE other t0 t1 out rc pid
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  pid=$(e2e_demo_pid "$a")
  : >"$HATC_DIR/fence.log"
  e2e_log "hactl fence $other from $a (the pill only)"
  t0=$(date +%s%N)
  out=$(hactl_on "$a" fence "$other" 2>&1); rc=$?
  t1=$(date +%s%N)
  e2e_log "hactl fence: rc=$rc: $(tail -1 <<<"$out")"
  check "hactl fence $other succeeded (rc $rc)" test "$rc" = 0
  check "$other fenced itself on reading the pill" grep -qE "^[0-9]+ $other self-fence .*poison pill from $a" "$HATC_DIR/fence.log"
  local self; self=$(first_line "$HATC_DIR/fence.log" "^[0-9]+ $other self-fence")
  check "$other is off" test "$(cat "$HATC_DIR/nodes/$other/power")" = off
  check "the service stayed on $a, same MainPID" test "$(e2e_demo_pid "$a")" = "$pid"
  E2E_DETAIL="self_fence_after=$(( (${self:-$t0} - t0) / 1000000 ))ms fence=$(( (t1 - t0) / 1000000 ))ms"
}

# The demo journal lives on the storage NODE was cut from, so NODE's demo could not write its
# "stop": once systemd on NODE says demo.service is no longer active, its InactiveEnterTimestamp
# (CLOCK_REALTIME µs, taken by systemd when the unit's processes were gone) stands for it.
journal_stop_from_systemd() { # node
  local state us
  state=$(cluster_exec "$1" systemctl --user is-active demo.service 2>/dev/null)
  [[ $state == @(inactive|failed) ]] || { e2e_log "demo.service on $1 is $state"; return 1; }
  us=$(cluster_exec "$1" busctl --user get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/demo_2eservice \
    org.freedesktop.systemd1.Unit InactiveEnterTimestamp | cut -d' ' -f2)
  [[ $us =~ ^[1-9][0-9]+$ ]] || { e2e_log "no InactiveEnterTimestamp for demo.service on $1 ($us)"; return 1; }
  local last; last=$(grep -E "^(start|stop) $1 " "$HATC_DIR/shared/demo-journal.log" | tail -n 1)
  [[ $last == start* ]] && echo "stop $1 ${us}000 0 systemd-inactive" >>"$HATC_DIR/shared/demo-journal.log"
  return 0
}

# cut NODE from the storage with MODE (error|hang)
storage_cut() {
  local mode=$1 a=$E2E_ACTIVE other t0 t1
  other=$([[ $a == n1 ]] && echo n2 || echo n1)
  : >"$HATC_DIR/fence.log"
  e2e_log "cut $a from the storage ($mode)"
  t0=$(date +%s%N)
  cluster_storage "$a" "$mode" >/dev/null
  E2E_NOT=$a
  hatc_wait 40 "the service active on $other" demo_active "$other"
  t1=$(date +%s%N)
  E2E_DETAIL="failover=$(( (t1 - t0) / 1000000 ))ms"
  if [[ $mode == error ]]; then
    check "no fence: $a released by itself" e2e_not grep -qE "self-fence|watchdog reset|action=" "$HATC_DIR/fence.log"
    check "$a says its storage is lost (the arbiter's verdict, or the lock check when it came first)" storage_lost_said "$a"
    check "demo.service stopped on $a (systemd)" journal_stop_from_systemd "$a"
  else
    check "$a was reset by its watchdog (release hung on the storage)" grep -qE "^[0-9]+ $a watchdog reset" "$HATC_DIR/fence.log"
    check "the survivor fenced it with the pill" test "$(events_of "$other" fence.succeeded)" -ge 1
    cluster_storage "$a" ok >/dev/null   # release what is blocked before teardown
  fi
  e2e_log "failover in $(( (t1 - t0) / 1000000 )) ms; fence.log: $(cut -d' ' -f2- "$HATC_DIR/fence.log" | tr '\n' ';')"
}
cut_error() { storage_cut error; }
cut_hang() { storage_cut hang; }

(($#)) || set -- split crash pill-frozen pill-read cut-error cut-hang
for s in "$@"; do
  case $s in
    split) e2e_scenario tiebreaker-split split --variant two --timings "${E2E_TIMINGS:-default}" ;;
    crash) e2e_scenario tiebreaker-crash crash --variant two --timings "${E2E_TIMINGS:-default}" ;;
    pill-frozen|pill-read|cut-error|cut-hang)
      HATC_FENCE=storage HATC_WATCHDOG=1 HATC_FAULTFS=$([[ $s == cut-* ]] && echo 1 || echo 0) \
        e2e_scenario "tiebreaker-$s" "${s//-/_}" --variant two --timings "${E2E_TIMINGS:-default}" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done
exit $E2E_FAILED
