#!/usr/bin/env bash
# The test cluster's storage and watchdog doubles (cluster.sh, opt-in HATC_FAULTFS=1 and
# HATC_WATCHDOG=1), which the storage tie-breaker's scenarios build on:
#   faultfs          (no haclusterd) every node's /srv/hashared is its own faultfs mount of the
#                    shared directory (scripts/testlib/faultfs): `storage n1 error` makes n1's
#                    calls fail with EIO while n2's work, `ok` restores them; `hang` blocks n1's
#                    calls (a bounded `timeout 2 touch` times out, n2 works) until `ok` releases
#                    them; slow:MS delays them; a flock taken through n1's mount refuses n2's
#                    `flock -n`; the demo journal goes on from n2 while n1's storage fails;
#                    O_DIRECT works; a node with calls blocked on its hung storage powers off
#                    and boots; `down` after a hang leaves no mount in any mount namespace and no
#                    faultfs process
#   faultfs-daemons  haclusterd on faultfs storage: the storage lock is held by the active node's
#                    faultfs on the shared file, `hactl check-storage` passes (flock exclusive
#                    across nodes, ACLs); kill -9 of the active haclusterd and service: the other
#                    node takes over, taking the lock through its own mount
#   watchdog         (haclusterd, watchdog_timeout 3s) every node arms and pets its watchdog, no
#                    reset in 10 s; an orderly stop (SIGTERM, magic close) is no reset; SIGSTOP of
#                    the active haclusterd while the fence device is broken: "watchdog reset" of
#                    that node in fence.log within watchdog_timeout + 1 s, the node off; device
#                    repaired: the service ends on the other node
#   lock-removed     (haclusterd) the held lock file is removed and a new one put at its path: the
#                    active node locks the new file within monitor_interval (lock.retaken), the
#                    service goes on (same MainPID); replaced again and held by another node
#                    first: the active node releases at once and the service moves
# Usage: e2e/storage-faults.sh [faultfs|faultfs-daemons|watchdog|lock-removed]...   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

alive() { kill -0 "$@" 2>/dev/null; }
none_alive() { local p; for p; do alive "$p" && return 1; done; return 0; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# Runs CMD on NODE; prints "rc elapsed_ms", rc "stuck" when it still runs after LIMIT s (left
# behind: a storage that does not release a blocked call must fail the check, not hang the test).
timed_on() { # limit node cmd...
  local limit=$1 n=$2 t p i; shift 2
  t=$(date +%s%N)
  cluster_exec "$n" "$@" >/dev/null 2>&1 &
  p=$!
  for ((i = 0; i < limit * 20; i++)); do alive "$p" || break; sleep 0.05; done
  if alive "$p"; then echo "stuck $(ms_since "$t")"; return; fi
  wait "$p"; echo "$? $(ms_since "$t")"
}
# the faultfs mounts of cluster TAG in any mount namespace of the machine (their names)
faultfs_mounts() { grep -h -o -s "faultfs-$1-n[0-9]*" /proc/[0-9]*/mountinfo | sort -u | xargs; }
# flock -n on NODE: 0 = granted, 1 = refused
flock_n() { cluster_exec "$1" flock -n -E 1 "$2" true; }

# ---- faultfs: the storage double alone ---------------------------------------------------
storage_infra() {
  local tag t0 rc ms hp rp out tok S=/srv/hashared
  tag=$HATC_TAG; t0=$(date +%s%N)
  local n
  for n in $HATC_NODES; do
    check "$n's $S is its own faultfs mount (in its mount namespace)" \
      grep -q "^faultfs-$tag-$n $S fuse.faultfs " "/proc/$(hatc_holder "$n")/mounts"
  done
  check "the host itself has no faultfs mount" e2e_not grep -q "faultfs-$tag-" /proc/mounts
  tok=token-$RANDOM$RANDOM
  cluster_exec n1 sh -c "echo $tok > $S/token"
  check "what n1 writes, n2 reads (shared backing directory)" test "$(cluster_exec n2 cat $S/token)" = "$tok"
  check "storage shows every node ok" test "$(cluster_storage | xargs)" = "n1 ok n2 ok n3 ok"

  # error
  cluster_storage n1 error
  check "storage n1 shows error" test "$(cluster_storage n1)" = "n1 error"
  out=$(cluster_exec n1 sh -c "echo x > $S/w-n1" 2>&1); rc=$?
  check "error: a write on n1 fails with EIO (rc $rc: $out)" e2e_contains "$rc $out" "Input/output error"
  out=$(cluster_exec n1 cat $S/token 2>&1); rc=$?
  check "error: a read on n1 fails with EIO (rc $rc: $out)" e2e_contains "$rc $out" "Input/output error"
  check "error: a write on n2 works meanwhile" cluster_exec n2 sh -c "echo x > $S/w-n2"
  cluster_storage n1 ok
  check "ok: a write on n1 works again" cluster_exec n1 sh -c "echo x > $S/w-n1"

  # hang
  cluster_storage n1 hang
  read -r rc ms < <(timed_on 8 n1 timeout 2 touch $S/h-n1)
  check "hang: timeout 2 touch on n1 times out (rc $rc after ${ms} ms)" test "$rc" = 124 -a "$ms" -ge 1900 -a "$ms" -lt 5000
  read -r rc ms < <(timed_on 8 n2 timeout 2 touch $S/h-n2)
  check "hang: timeout 2 touch on n2 works (rc $rc after ${ms} ms)" test "$rc" = 0
  cluster_exec n1 cat $S/token >"$HATC_DIR/reader.out" 2>&1 &
  rp=$!
  sleep 0.5
  check "hang: a read on n1 stays blocked" alive "$rp"
  t0=$(date +%s%N)
  cluster_storage n1 ok
  hatc_wait 3 "the blocked read" e2e_not alive "$rp"
  if alive "$rp"; then rc=stuck; else wait "$rp"; rc=$?; fi
  check "ok: the blocked read ends with the data (rc $rc, $(ms_since "$t0") ms after ok: $(cat "$HATC_DIR/reader.out"))" \
    test "$rc $(cat "$HATC_DIR/reader.out")" = "0 $tok"
  cluster_storage n1 slow:300
  read -r rc ms < <(timed_on 8 n1 cat $S/token)
  check "slow:300: a read on n1 works, delayed (rc $rc after ${ms} ms)" test "$rc" = 0 -a "$ms" -ge 300
  cluster_storage n1 ok

  # flock across the nodes' mounts
  rm -f "$HATC_DIR/shared/lk.held"
  cluster_exec n1 flock -o $S/lk sh -c "echo \$\$ > $S/lk.held; exec sleep 60" >/dev/null 2>&1 &
  hatc_wait 5 "n1's flock holder" test -s "$HATC_DIR/shared/lk.held"
  hp=$(cat "$HATC_DIR/shared/lk.held")
  flock_n n2 $S/lk; rc=$?
  check "flock: n2's flock -n is refused while n1 holds the lock (rc $rc)" test "$rc" = 1
  flock_n n1 $S/lk; rc=$?
  check "flock: n1's own second flock -n is refused too (rc $rc)" test "$rc" = 1
  kill "$hp"
  check "flock: n2 gets the lock once n1's holder is gone" hatc_wait 3 "the lock" flock_n n2 $S/lk

  # the demo journal while n1's storage fails
  cluster_storage n1 error
  check "error: demo.service cannot start on n1 (its journal record fails)" e2e_not cluster_exec n1 systemctl --user start demo.service
  check "error: demo.service starts on n2" cluster_exec n2 systemctl --user start demo.service
  cluster_exec n2 systemctl --user stop demo.service
  check "error: n2's start and stop are in the journal" grep -q "^stop n2 " "$HATC_DIR/shared/demo-journal.log"
  cluster_storage n1 hang
  check "hang: demo.service starts on n2" cluster_exec n2 systemctl --user start demo.service
  cluster_exec n2 systemctl --user stop demo.service
  check "hang: n2's second interval is in the journal" test "$(grep -c "^stop n2 " "$HATC_DIR/shared/demo-journal.log")" = 2
  check "the journal has no overlap" e2e_journal_clean
  check "no start of n1 in the journal" e2e_not grep -q "^start n1 " "$HATC_DIR/shared/demo-journal.log"

  # O_DIRECT (ok on n2; n1 still hangs)
  check "O_DIRECT: dd oflag=direct on n2 works" cluster_exec n2 dd if=/dev/zero of=$S/odirect bs=4096 count=2 oflag=direct status=none
  check "O_DIRECT: dd iflag=direct of it on n3 reads 8192 bytes" \
    test "$(cluster_exec n3 dd if=$S/odirect bs=4096 iflag=direct status=none | wc -c)" = 8192

  # power-off of a node whose calls hang on its storage
  local b1 b2
  cluster_exec n1 sh -c "trap '' TERM; cat $S/token" >/dev/null 2>&1 &
  b1=$!
  cluster_exec n1 flock $S/lk true >/dev/null 2>&1 &
  b2=$!
  sleep 0.5
  check "hang: both calls on n1 are blocked" alive "$b1" "$b2"
  t0=$(date +%s%N)
  check "hang: power-off of n1 with calls blocked on its storage" cluster_kill_node n1
  check "hang: nothing of n1 is alive after the power-off ($(ms_since "$t0") ms)" hatc_cgroup_empty n1
  check "hang: n1 boots while its storage still hangs" cluster_poweron n1
  check "hang: n1's user manager is up" hatc_manager_up n1
  check "storage still shows n1 hang after the power cycle" test "$(cluster_storage n1)" = "n1 hang"
  check "hang: the blocked calls ended with n1's power-off" hatc_wait 5 "the blocked calls" none_alive "$b1" "$b2"

  # down after a hang: blocked calls on n1 (one ignores SIGTERM) and n3
  cluster_storage n3 hang
  cluster_exec n1 sh -c "trap '' TERM; ls $S" >/dev/null 2>&1 &
  cluster_exec n3 stat $S/token >/dev/null 2>&1 &
  sleep 0.5
  local pids dir=$HATC_DIR p; pids=$(cat "$HATC_DIR"/nodes/*/faultfs.pid | xargs)
  check "three faultfs processes run ($pids)" test "$(echo "$pids" | wc -w)" = 3
  check "the leftover check sees the three mounts before down ($(faultfs_mounts "$tag"))" \
    test "$(faultfs_mounts "$tag")" = "faultfs-$tag-n1 faultfs-$tag-n2 faultfs-$tag-n3"
  t0=$(date +%s%N)
  cluster_down
  trap - EXIT
  ms=$(ms_since "$t0")
  check "down after a hang returns within 20 s (${ms} ms)" test "$ms" -lt 20000
  check "down: no faultfs mount of the cluster in any mount namespace ($(faultfs_mounts "$tag"))" \
    test -z "$(faultfs_mounts "$tag")"
  for p in $pids; do check "down: faultfs $p has ended" e2e_not hatc_pid_running "$p"; done
  check "down: no namespace left" bash -c '! ip netns list | grep -q "^$0-"' "$tag"
  check "down: no cluster directory left" test ! -e "$dir"
  check "down: no process of the cluster left" bash -c '! ps -eo args | grep -v grep | grep -q "$0"' "$dir"
  E2E_DETAIL="down after hang ${ms} ms"
}

faultfs_scenario() {
  e2e_reset
  local t0; t0=$(date +%s%N)
  echo "== faultfs" >&2
  (
    trap cluster_down EXIT
    trap 'exit 143' TERM INT
    E2E_DETAIL=""
    export HATC_FAULTFS=1
    if cluster_up --variant witness; then
      storage_infra
    else
      check "cluster up with HATC_FAULTFS=1" false
    fi
    e2e_report faultfs - "$E2E_DETAIL ($(( ($(date +%s%N) - t0) / 1000000000 ))s)"
    exit $E2E_FAILED
  ) || E2E_FAILED=1
}

# ---- faultfs-daemons: haclusterd on faultfs storage ---------------------------------------
# The FLOCK entry of the shared lock file in /proc/locks is held by NODE's faultfs.
lock_held_by_faultfs_of() {
  local p ino; p=$(hatc_storage_pid "$1") || return 1
  ino=$(stat -c %i "$HATC_DIR/shared/.hacluster.lock") || return 1
  grep -Eq "FLOCK +ADVISORY +WRITE +$p +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}
faultfs_daemons() {
  local a=$E2E_ACTIVE other n st rc
  other=$(for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && echo "$n"; done | head -1)
  check "the storage lock is held by $a's faultfs on the shared file" lock_held_by_faultfs_of "$a"
  st=$(hactl_on "$a" --json check-storage /srv/hashared 2>/dev/null); rc=$?
  e2e_log "check-storage: $st"
  check "hactl check-storage passes on faultfs storage (rc $rc)" test "$rc" = 0
  check "check-storage: cross-node flock ok on $other through faultfs" python3 - "$st" "$other" <<'PY'
import json, sys
findings = json.loads(sys.argv[1])["findings"]
mine = [f for f in findings if f.get("node") == sys.argv[2] and f["check"] == "cross_node_flock"]
assert mine and all(f["status"] == "ok" for f in mine), mine
PY
  e2e_log "kill -9 haclusterd and demo on $a"
  kill -9 "$(e2e_daemon_pid "$a")" "$(e2e_demo_pid "$a")"
  E2E_NOT=$a
  n=$(e2e_wait_active 40 "$a") || return 1
  check "after the takeover the lock is held by $n's faultfs" hatc_wait 5 "the lock on $n" lock_held_by_faultfs_of "$n"
  E2E_DETAIL="$a -> $n"
}

# ---- watchdog: the watchdog double with haclusterd ---------------------------------------
wd_writes() { stat -c %s "$HATC_DIR/nodes/$1/hw/watchdog"; }
wd_reset_ns() { grep -m1 " $1 watchdog reset" "$HATC_DIR/fence.log" 2>/dev/null | cut -d' ' -f1; }
wd_was_reset() { [[ -n $(wd_reset_ns "$1") ]]; }
wd_armed() { [[ $(hatc_watchdog_state "$1") == armed* ]]; }
watchdog() {
  local a=$E2E_ACTIVE T=$HATC_WATCHDOG_TIMEOUT n before=() after i t0 t1 dt
  check "the configuration names the watchdog double" grep -q '^watchdog = "/run/hw/watchdog"' "$HATC_DIR/etc/haclusterd.toml"
  for n in $HATC_NODES; do
    check "$n's haclusterd armed its watchdog" grep -q "watchdog device armed" "$HATC_DIR/nodes/$n/haclusterd.log"
    before+=("$(wd_writes "$n")")
  done
  sleep 10
  check "no watchdog reset in 10 s of normal operation" e2e_not grep -qs "watchdog reset" "$HATC_DIR/fence.log"
  i=0
  for n in $HATC_NODES; do
    after=$(wd_writes "$n")
    check "$n petted its watchdog during those 10 s (${before[i]} -> $after writes)" test $((after - before[i])) -ge 5
    i=$((i + 1))
  done

  # an orderly stop writes the magic 'V': no reset (the witness n3, restarted afterwards)
  kill -TERM "$(e2e_daemon_pid n3)"
  hatc_wait 10 "n3's haclusterd to stop" e2e_not alive "$(e2e_daemon_pid n3)"
  check "n3's orderly stop closed its watchdog (state $(hatc_watchdog_state n3))" test "$(hatc_watchdog_state n3)" = closed
  sleep $((T + 1))
  check "no reset of n3 ${T}+1 s after its orderly stop" test -z "$(wd_reset_ns n3)"
  cluster_start_daemon n3
  check "n3's restarted haclusterd arms its watchdog again" hatc_wait 30 "n3's watchdog" wd_armed n3
  sleep 1

  # SIGSTOP of the active daemon; the fence device is broken, so only the watchdog can act
  echo "device unplugged by the test" >"$HATC_DIR/fence-broken"
  t0=$(date +%s%N)
  cluster_pause "$a"
  e2e_log "SIGSTOP haclusterd on $a (fence device broken)"
  E2E_NOT=$a
  hatc_wait $((T + 5)) "the watchdog reset of $a" wd_was_reset "$a"
  t1=$(wd_reset_ns "$a")
  dt=$(( (${t1:-0} - t0) / 1000000 ))
  check "$a reset by its watchdog within watchdog_timeout + 1 s of SIGSTOP, not before timeout - pet interval (${t1:+$dt ms})" \
    test -n "$t1" -a "$dt" -le $(( (T + 1) * 1000 )) -a "$dt" -ge $(( T * 2000 / 3 - 200 ))
  # the helper logs the reset, then powers the node off (as the fence agent does)
  check "$a is powered off" hatc_wait 5 "$a off" grep -qx off "$HATC_DIR/nodes/$a/power"
  check "nothing of $a is alive" hatc_cgroup_empty "$a"
  check "only $a was reset ($(grep -c 'watchdog reset' "$HATC_DIR/fence.log") reset(s))" test "$(grep -c 'watchdog reset' "$HATC_DIR/fence.log")" = 1
  rm -f "$HATC_DIR/fence-broken"
  e2e_log "fence device repaired"
  E2E_DETAIL="$([[ -n $t1 ]] && echo "reset ${dt} ms after SIGSTOP" || echo "no reset") (watchdog_timeout ${T}s)"
}
# ---- lock-removed: the held lock file removed and then replaced by hand ---------------------
lock_removed() {
  local a=$E2E_ACTIVE L=/srv/hashared/.hacluster.lock t0 t1 other pid
  other=$(for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && echo "$n" && break; done)
  pid=$(e2e_demo_pid "$a")
  check "the lock is held: $other is refused" e2e_not flock_n "$other" "$L"
  e2e_log "rm $L, then a new empty file at the path (as a restore or a careless cleanup would)"
  t0=$(date +%s%N)
  rm -f "$HATC_DIR/shared/.hacluster.lock"; : >"$HATC_DIR/shared/.hacluster.lock"
  check "$a locks the new file within monitor_interval (event lock.retaken)" hatc_wait 5 "lock.retaken on $a" \
    sh -c "HATC_DIR=$HATC_DIR $HATC_DIR/lib/cluster.sh exec $a hactl --json events 2>/dev/null | grep -q 'lock.retaken'"
  t1=$(date +%s%N)
  check "$other is refused the new file" e2e_not flock_n "$other" "$L"
  check "the service went on: same MainPID on $a" test "$(e2e_demo_pid "$a")" = "$pid"

  e2e_log "replace it again, and have $other hold the new file before $a looks"
  rm -f "$HATC_DIR/shared/.hacluster.lock"; : >"$HATC_DIR/shared/.hacluster.lock"
  cluster_exec "$other" flock "$L" sleep 6 &
  local holder=$!
  check "$a releases at once: the lock file is held by someone else" hatc_wait 10 "$a released" \
    sh -c "HATC_DIR=$HATC_DIR $HATC_DIR/lib/cluster.sh exec $a hactl --json events 2>/dev/null | grep -q 'releasing it at once'"
  check "demo.service stopped on $a" hatc_wait 10 "demo inactive on $a" e2e_not demo_on "$a"
  wait "$holder"
  E2E_NOT=$a   # ineligible (fatal): the service moves
  E2E_DETAIL="retaken_after=$(( (t1 - t0) / 1000000 ))ms"
}
demo_on() { [[ $(cluster_exec "$1" systemctl --user is-active demo.service) == active ]]; }

all=(faultfs faultfs-daemons watchdog lock-removed)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  case $s in
    faultfs) faultfs_scenario ;;
    faultfs-daemons) HATC_FAULTFS=1 e2e_scenario faultfs-daemons faultfs_daemons --variant witness --timings "${E2E_TIMINGS:-default}" ;;
    lock-removed) e2e_scenario lock-removed lock_removed --variant witness --timings "${E2E_TIMINGS:-default}" ;;
    watchdog) HATC_WATCHDOG=1 HATC_WATCHDOG_TIMEOUT=3 e2e_scenario watchdog watchdog --variant witness --timings "${E2E_TIMINGS:-default}" ;;
    *) echo "unknown scenario $s (${all[*]})" >&2; E2E_FAILED=1 ;;
  esac
done
exit $E2E_FAILED
