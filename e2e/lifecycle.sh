#!/usr/bin/env bash
# Stopping the daemon, stray signals and maintenance, on real clusters:
#   sigterm-active   `hactl move` first (the reference outage), then SIGTERM to the active
#                    node's haclusterd (what `systemctl stop haclusterd` sends): the service
#                    moves with no fence agent call, an outage no larger than the move's,
#                    and the daemon exits 0; started again, it rejoins without moving anything
#   sigterm-passive  SIGTERM to the passive full node's haclusterd: nothing moves, no fence
#   signals          SIGUSR1, SIGUSR2, SIGPIPE to the active haclusterd: same PID, service untouched
#   maintenance      maintenance on, the unit stopped by hand: no failure counted, no move, no
#                    fence; started by hand, `maintenance off` does not bounce it (same MainPID);
#                    stopped by hand again, `maintenance off` starts it
# Each on the witness cluster; NAME-three runs it on the 3-full-node cluster.
# Usage: e2e/lifecycle.sh [scenario...]   (default: all, on both cluster shapes)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

# Calls of the fence agent since the log was emptied (off, on, reboot, status, self-fence).
fence_calls() { grep -c . "$HATC_DIR/fence.log" 2>/dev/null || true; }
# The full node other than NODE that is up (first one).
other_full() { local n; for n in $HATC_FULL_NODES; do [[ $n != "$1" ]] && { echo "$n"; return; }; done; }

# Waits (bounded) for haclusterd PID of NODE to exit; succeeds when its last run logged
# "stopped" and no error: DaemonLaunch returns 0 exactly then (an error prints "haclusterd: ...").
daemon_exited_cleanly() { # node pid timeout_s
  local n=$1 p=$2 deadline=$(( $(date +%s) + $3 ))
  while kill -0 "$p" 2>/dev/null; do
    (( $(date +%s) > deadline )) && { e2e_log "haclusterd $p on $n still runs after ${3}s"; return 1; }
    sleep 0.05
  done
  local run; run=$(awk '/^=== start/{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$HATC_DIR/nodes/$n/haclusterd.log")
  [[ $run == *"stopped"* && $run != *"haclusterd: "* ]]
}

# The probe's max gap so far: stops the probe, starts a new one; prints the gap in ms.
probe_gap_and_restart() {
  local pj; pj=$(e2e_probe_stop) || return 1
  e2e_log "probe: $pj"
  e2e_probe_start 15 >/dev/null || return 1
  e2e_json "$pj" max_gap_ms
}

sigterm_active() {
  local a=$E2E_ACTIVE b; b=$(other_full "$a")
  # The reference: a planned move a -> b.
  e2e_log "hactl move $b (reference outage)"
  hactl_on "$a" move "$b" || { check "hactl move exits 0" false; return 1; }
  e2e_wait_active 30 "$a" >/dev/null || return 1
  sleep 1
  hactl_on "$b" clear >/dev/null; check "hactl clear exits 0" test $? -eq 0
  local move_gap; move_gap=$(probe_gap_and_restart) || return 1
  # The stop: b hands the service over.
  : >"$HATC_DIR/fence.log"
  local dp; dp=$(e2e_daemon_pid "$b")
  e2e_log "kill -TERM haclusterd ($dp) on $b"
  local t0; t0=$(date +%s%N)
  kill -TERM "$dp"
  E2E_NOT=$b
  local n; n=$(e2e_wait_active 30 "$b") || return 1
  local took=$(( ($(date +%s%N) - t0) / 1000000 ))
  check "the daemon on $b exits 0 after the handover" daemon_exited_cleanly "$b" "$dp" 30
  check "$b released cleanly (its demo.service stopped, not killed)" e2e_clean_stop "$b"
  sleep 2   # a late fence would show now
  check "no fence agent call (fence.log: $(tr '\n' '|' <"$HATC_DIR/fence.log"))" test "$(fence_calls)" = 0
  check "$b is powered on (not fenced)" test "$(cat "$HATC_DIR/nodes/$b/power")" = on
  local stop_gap; stop_gap=$(probe_gap_and_restart) || return 1
  check "SIGTERM outage ${stop_gap}ms is within the move's ${move_gap}ms (+20% +300ms)" \
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) * 1.2 + 300 else 1)' "$stop_gap" "$move_gap"
  # Started again (what `systemctl restart` does next): rejoins as standby, nothing moves.
  cluster_start_daemon "$b"
  check "$b rejoins" hatc_wait 20 "$b online" e2e_test_online "$n" "$b"
  sleep 2
  check "the service stays on $n after $b rejoined" test "$(e2e_vip_node)" = "$n"
  check "still no fence agent call" test "$(fence_calls)" = 0
  E2E_DETAIL="move=${move_gap}ms sigterm=${stop_gap}ms handover=${took}ms fence_calls=$(fence_calls)"
}
# NODE sees PEER online.
e2e_test_online() { test "$(e2e_status "$1" "[x[\"state\"] for x in s[\"nodes\"] if x[\"name\"]==\"$2\"][0]")" = online; }

sigterm_passive() {
  local a=$E2E_ACTIVE p; p=$(other_full "$a")
  local sp; sp=$(e2e_demo_pid "$a")
  : >"$HATC_DIR/fence.log"
  local dp; dp=$(e2e_daemon_pid "$p")
  e2e_log "kill -TERM haclusterd ($dp) on passive $p"
  kill -TERM "$dp"
  check "the daemon on $p exits 0" daemon_exited_cleanly "$p" "$dp" 30
  sleep 3
  check "the service stays on $a" test "$(e2e_vip_node)" = "$a"
  check "demo.service on $a was not restarted (MainPID $sp)" test "$(e2e_demo_pid "$a")" = "$sp"
  check "no fence agent call (fence.log: $(tr '\n' '|' <"$HATC_DIR/fence.log"))" test "$(fence_calls)" = 0
  cluster_start_daemon "$p"
  check "$p rejoins" hatc_wait 20 "$p online" e2e_test_online "$a" "$p"
  sleep 1
  check "the service stays on $a after $p rejoined" test "$(e2e_vip_node)" = "$a"
  E2E_DETAIL="fence_calls=$(fence_calls)"
}

signals() {
  local a=$E2E_ACTIVE dp sp s
  dp=$(e2e_daemon_pid "$a"); sp=$(e2e_demo_pid "$a")
  : >"$HATC_DIR/fence.log"
  for s in USR1 USR2 PIPE; do
    e2e_log "kill -$s haclusterd ($dp) on $a"
    kill -"$s" "$dp"
    sleep 0.5
  done
  sleep 2
  check "haclusterd on $a still runs (pid $dp)" kill -0 "$dp"
  check "the daemon pid file still names $dp" test "$(e2e_daemon_pid "$a")" = "$dp"
  check "the service stays on $a" test "$(e2e_vip_node)" = "$a"
  check "demo.service on $a untouched (MainPID $sp)" test "$(e2e_demo_pid "$a")" = "$sp"
  check "SIGUSR1 and SIGUSR2 are logged" bash -c 'grep -q "received SIGUSR1; ignored" "$0" && grep -q "received SIGUSR2; ignored" "$0"' \
    "$HATC_DIR/nodes/$a/haclusterd.log"
  check "no fence agent call" test "$(fence_calls)" = 0
  check "hactl status answers on $a" hactl_on "$a" status
}

failures_of() { e2e_status "$1" "s[\"service\"][\"failures\"].get(\"$2\", 0)"; }

maintenance() {
  local a=$E2E_ACTIVE
  : >"$HATC_DIR/fence.log"
  hactl_on "$a" maintenance on; check "hactl maintenance on exits 0" test $? -eq 0
  e2e_log "stop demo.service by hand on $a"
  cluster_exec "$a" systemctl --user stop demo.service
  sleep 5   # > monitor_interval (1s) x migration_threshold (3)
  check "demo.service stays stopped on $a (by hand)" test "$(cluster_exec "$a" systemctl --user is-active demo.service)" != active
  check "status: no failure counted for $a ($(failures_of "$a" "$a"))" test "$(failures_of "$a" "$a")" = 0
  check "status: the service is still placed on $a" test "$(e2e_status "$a" 's["service"]["node"]')" = "$a"
  check "status: maintenance is on" test "$(e2e_status "$a" 's["maintenance"]')" = True
  check "$a still holds the VIP (holders: $(cluster_vip_holders))" test "$(cluster_vip_holders)" = "$a"
  check "demo.service runs nowhere else ($(e2e_demo_nodes))" test -z "$(e2e_demo_nodes)"
  e2e_log "start demo.service by hand on $a"
  cluster_exec "$a" systemctl --user start demo.service
  local sp; sp=$(e2e_demo_pid "$a")
  hactl_on "$a" maintenance off; check "hactl maintenance off exits 0" test $? -eq 0
  sleep 4
  check "maintenance off did not bounce demo.service (MainPID $sp, now $(e2e_demo_pid "$a"))" test "$(e2e_demo_pid "$a")" = "$sp"
  check "the service stays on $a" test "$(e2e_vip_node)" = "$a"
  # Stopped by hand during maintenance: maintenance off starts it.
  hactl_on "$a" maintenance on; check "hactl maintenance on exits 0 (again)" test $? -eq 0
  cluster_exec "$a" systemctl --user stop demo.service
  sleep 2
  hactl_on "$a" maintenance off; check "hactl maintenance off exits 0 (again)" test $? -eq 0
  check "maintenance off started demo.service on $a" hatc_wait 20 "demo.service active on $a" e2e_unit_active "$a"
  sleep 2
  check "status: still no failure counted for $a" test "$(failures_of "$a" "$a")" = 0
  check "no fence agent call" test "$(fence_calls)" = 0
  E2E_DETAIL="failures=$(failures_of "$a" "$a") fence_calls=$(fence_calls)"
}
e2e_unit_active() { test "$(cluster_exec "$1" systemctl --user is-active demo.service 2>/dev/null)" = active; }

all=(sigterm-active sigterm-passive signals maintenance sigterm-active-three sigterm-passive-three signals-three maintenance-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness fn=${s%-three}
  [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${fn//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
