#!/usr/bin/env bash
# The etcd backend ([cluster] backend = "etcd") on the 3-full-node cluster, with a 3-member etcd
# cluster in the test network (HATC_ETCD=1: members e1..e3, lease_ttl 3s, or 2s at fast timings):
#   crash        kill -9 of the active node's haclusterd and service: a peer takes over after
#                fencing it (its lease expires on the server, the holder record names it)
#   etcd-cut     the active node cut off from etcd only (it still reaches its peers, the client
#                still reaches it): it releases by itself before its lease expires, and a peer
#                takes over after fencing it
#   etcd-leader  kill -9 of etcd's leader member: no failover of the service (same node, same
#                service process), then the member comes back
#   etcd-quorum  two of three etcd members killed: the holder releases, nothing starts anywhere
#                until etcd is back; then the service starts again
#   admin        hactl through etcd, each command on another node: `move --wait` hands the service
#                over without a fence, `standby` moves it away, `maintenance on` freezes it (a move
#                meanwhile waits), `maintenance off` applies what was asked
# Each scenario runs with the client probe, the shared-journal overlap check and the VIP sampler.
# Usage: e2e/etcd.sh [scenario...]   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

ttl_s() { [[ $HATC_TIMINGS == fast ]] && echo 2 || echo 3; }

# The holder record in etcd, as `node=... state=... term=...` on one line.
holder_record() { cluster_etcdctl get "/haclusterd/$HATC_TAG/holder" --print-value-only 2>/dev/null | tr '\n' ' '; }

crash() {
  local a=$E2E_ACTIVE dp sp
  check "every node's release is shown (the presence keys carry each node's info)" \
    test "$(e2e_status n3 'all(x.get("version") for x in s["nodes"]) and len(s["nodes"]) == 3')" = True
  check "the holder record names $a running" e2e_contains "$(holder_record)" "node=$a state=running"
  : >"$HATC_DIR/fence.log"
  dp=$(e2e_daemon_pid "$a"); sp=$(e2e_demo_pid "$a")
  e2e_log "kill -9 haclusterd ($dp) and demo ($sp) on $a"
  kill -9 "$dp" "$sp"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || return 1
  check "$a was fenced before $n took over" grep -q "port=$a powered off" "$HATC_DIR/fence.log"
  check "the holder record names $n running" e2e_contains "$(holder_record)" "node=$n state=running"
  check "$n's last_failover shows the etcd election, the fence and the start" timeline_has "$n" election wait fence start
}

etcd_cut() {
  local a=$E2E_ACTIVE t0
  : >"$HATC_DIR/fence.log"
  e2e_log "cut $a off from etcd only"
  t0=$(date +%s%N)
  cluster_etcd_cut "$a"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || return 1
  E2E_DETAIL="new_holder_after=$(( ($(date +%s%N) - t0) / 1000000 ))ms"
  check "$a released by itself (its demo.service stopped cleanly, not killed)" e2e_clean_stop "$a"
  check "$a was fenced before $n took over" grep -q "port=$a powered off" "$HATC_DIR/fence.log"
  check "$a's release came before the fence (it was not running when fenced)" released_before_fence "$a"
  cluster_etcd_heal "$a"
}

# The journal's last stop of NODE (its own, clean) is older than the fence's power-off of it.
released_before_fence() { # node
  local stop fenced
  stop=$(grep -E "^stop $1 " "$HATC_DIR/shared/demo-journal.log" | tail -n 1 | cut -d' ' -f3)
  fenced=$(grep "port=$1 powered off" "$HATC_DIR/fence.log" | tail -n 1 | cut -d' ' -f1)
  e2e_log "$1 stopped at $stop, powered off at $fenced"
  [[ -n $stop && -n $fenced ]] && (( stop < fenced ))
}

etcd_leader() {
  local a=$E2E_ACTIVE sp leader ttl; ttl=$(ttl_s)
  sp=$(e2e_demo_pid "$a")
  leader=$(cluster_etcd_leader) || return 1
  e2e_log "kill -9 of etcd's leader member $leader; watching $a for $(( 3 * ttl ))s"
  cluster_etcd_kill "$leader"
  sleep $(( 3 * ttl ))
  check "the service stayed on $a (running: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$a"
  check "the same service process runs on $a (no restart)" test "$(e2e_demo_pid "$a")" = "$sp"
  check "no takeover anywhere since the start" no_second_takeover
  cluster_etcd_start "$leader"
  cluster_etcd_wait 20
}

# Exactly one `start` in the journal: the first takeover.
no_second_takeover() { test "$(grep -c '^start ' "$HATC_DIR/shared/demo-journal.log")" = 1; }

etcd_quorum() {
  local a=$E2E_ACTIVE ttl m others=() t0; ttl=$(ttl_s)
  for m in $(cluster_etcd_leader) e1 e2 e3; do [[ " ${others[*]} " == *" $m "* ]] || others+=("$m"); done
  others=("${others[@]:0:2}")   # the leader and one more: the remaining member has no quorum
  e2e_log "kill -9 of etcd members ${others[*]}"
  t0=$(date +%s%N)
  for m in "${others[@]}"; do cluster_etcd_kill "$m"; done
  check "$a released by itself within the lease TTL" wait_demo_gone "$a" "$ttl"
  E2E_DETAIL="released_after=$(( ($(date +%s%N) - t0) / 1000000 ))ms"
  sleep $(( 2 * ttl ))
  check "nothing runs anywhere while etcd has no quorum (running: $(e2e_demo_nodes))" test -z "$(e2e_demo_nodes)"
  check "$a says NO QUORUM and shows its lease gone" status_says "$a" "NO QUORUM" "NO LEASE"
  for m in "${others[@]}"; do cluster_etcd_start "$m"; done
  cluster_etcd_wait 20
}

wait_demo_gone() { # node timeout_s
  local deadline=$(( $(date +%s%N) + $2 * 1000000000 ))
  while (( $(date +%s%N) < deadline )); do
    [[ " $(e2e_demo_nodes) " == *" $1 "* ]] || return 0
    sleep 0.1
  done
  return 1
}

status_says() { # node text...
  local out; out=$(hactl_on "$1" status 2>&1); shift
  local t; for t in "$@"; do [[ $out == *"$t"* ]] || { e2e_log "status lacks '$t': $out"; return 1; }; done
}

# `hactl --json status` on NODE: last_failover has the named steps, in that order, summing to its total.
timeline_has() { # node step...
  local n=$1; shift
  hactl_on "$n" --json status | python3 -c '
import json, sys
f = json.load(sys.stdin)["last_failover"]
steps = [(s["name"], s["milliseconds"]) for s in f["steps"]]
print("last_failover:", f.get("milliseconds"), steps, file=sys.stderr)
names = [n for n, _ in steps]
want = sys.argv[1:]
pos = [names.index(w) if w in names else -1 for w in want]
sys.exit(0 if -1 not in pos and pos == sorted(pos) and f.get("milliseconds") == sum(ms for _, ms in steps) else 1)' "$@"
}

admin() {
  local a=$E2E_ACTIVE others=() n t0 out rc
  for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && others+=("$n"); done
  local b=${others[0]} c=${others[1]}
  : >"$HATC_DIR/fence.log"
  e2e_log "hactl move $b --wait (asked on $c)"
  t0=$(date +%s%N)
  out=$(hactl_on "$c" move "$b" --wait --timeout 30s 2>&1); rc=$?
  E2E_DETAIL="move_took=$(( ($(date +%s%N) - t0) / 1000000 ))ms"
  e2e_log "move: rc=$rc $out"
  check "hactl move --wait exits 0" test $rc -eq 0
  check "when move --wait returned, demo.service ran on $b only (got: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$b"
  check "the admin state in etcd holds the move's constraint" e2e_contains "$(cluster_etcdctl get "/haclusterd/$HATC_TAG/admin" --print-value-only)" "\"prefer\""
  check "$b names the constraint in status (asked on $a)" test "$(e2e_status "$a" '[c["node"] for c in s["constraints"] if c["kind"]=="prefer"]')" = "['$b']"
  hactl_on "$a" clear >/dev/null
  e2e_log "hactl standby $b --wait (asked on $b)"
  out=$(hactl_on "$b" standby "$b" --wait --timeout 30s 2>&1); rc=$?
  e2e_log "standby: rc=$rc $out"
  check "hactl standby --wait exits 0" test $rc -eq 0
  n=$(e2e_wait_active 20 "$b") || return 1
  check "the service left $b for $a, the first in priority order (runs on $n)" test "$n" = "$a"
  check "$b shows as standby" test "$(e2e_status "$a" '[x["state"] for x in s["nodes"] if x["name"]=="'"$b"'"][0]')" = standby
  e2e_log "hactl maintenance on (asked on $c), then move $c"
  hactl_on "$c" maintenance on >/dev/null
  hactl_on "$b" move "$c" >/dev/null
  sleep 3
  check "maintenance: the service stayed on $a (running: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$a"
  hactl_on "$a" maintenance off >/dev/null
  n=$(e2e_wait_active 20 "$a") || return 1
  check "maintenance off: the move to $c was carried out (runs on $n)" test "$n" = "$c"
  check "no node was fenced by a planned move" test ! -s "$HATC_DIR/fence.log"
  hactl_on "$a" unstandby "$b" >/dev/null
  E2E_NOT=$a
}

all=(crash etcd-cut etcd-leader etcd-quorum admin)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  name=$s; [[ $s == etcd-* ]] || name=etcd-$s
  HATC_ETCD=1 e2e_scenario "$name" "${s//-/_}" --variant three --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
