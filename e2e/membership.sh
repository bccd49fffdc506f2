#!/usr/bin/env bash
# Membership changes on a running cluster, one node at a time, the service running and
# never a cluster-wide stop (the procedure of README.md "Adding, removing and replacing nodes"):
#   add-remove  three full nodes serving. A 4th machine n4 joins: its [[node]] added to
#               every node's configuration (`hactl node add n4` is refused while no node
#               runs that configuration), each node reloaded (`hactl node add n4` refused
#               again: n4 is not heard), haclusterd started on n4 with the same key and file:
#               a learner (online, "member": false, quorum still 3 of 3 everywhere, the
#               service not on it); `hactl node add n4` on two members at once: one exits
#               0, the other is refused (pending or already a member); n4 is a member on every
#               node, quorum 4 of 4; one more add is refused (already a member). Then a node
#               running neither the service nor the coordinator, picked from the status, is
#               removed: `hactl node remove` of the active node (and of the coordinator when
#               it is another node) is refused saying what to do first; a reload without
#               its [[node]] is refused while it is a member; `hactl node remove` on n4:
#               "member": false everywhere (still listed), quorum 3 of 3; its haclusterd
#               stopped, its [[node]] removed and every other node reloaded: no longer listed.
#   replace     three full nodes serving. The haclusterd of a node running neither the
#               service nor the coordinator is killed (kill -9): quorum 2 of 3. That node is
#               removed (`hactl node remove`: quorum 2 of 2), a fresh machine n4 is added in
#               its place as above (quorum 3 of 3), the failed node's [[node]] removed and
#               every node reloaded.
#   replace-same  the same, the failed node powered off and replaced by a fresh machine
#               under the same name and addresses (empty state directory): removed, booted
#               (a learner), `hactl node add` again; no configuration change.
# Both check: every reload and membership command exits 0 (the refusals exit 1 and say
# why), the service never moved nor restarted (same node, same demo.service MainPID), no
# election (same term),
# the client probe never waited more than E2E_MEMBERSHIP_MAX_GAP_MS (default 100) ms,
# no fence call (add-remove; reported for replace), plus the common checks (the service
# on exactly one node, which alone holds the VIP; no overlap in the journal; no two nodes,
# n4 included, ever held the VIP at once).
# Usage: e2e/membership.sh [add-remove|replace|replace-same ...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

# The probe runs over every step (some 15 s, five to seven reloads, daemons started and
# stopped): twice reload.sh's bound for one reload, for the scheduling stalls of a loaded
# machine over that long; a move or a restart costs hundreds of ms (and changes the MainPID).
E2E_MEMBERSHIP_MAX_GAP_MS=${E2E_MEMBERSHIP_MAX_GAP_MS:-100}
M_WAIT=${E2E_MEMBERSHIP_WAIT:-20}   # bound of each wait for the cluster to agree

m_fence_calls() { grep -cE 'action=(reboot|off|on) ' "$HATC_DIR/fence.log" 2>/dev/null; }
m_others() { local x; for x in $1; do [[ " ${*:2} " == *" $x "* ]] || echo "$x"; done | xargs; }   # list minus nodes
m_sorted() { tr ' ' '\n' <<<"$*" | grep . | sort | xargs; }

# A node that is a member and runs neither the service nor the coordinator, among CANDIDATES.
m_pick_idle() { # candidates active coordinator
  local n; for n in $1; do [[ $n != "$2" && $n != "$3" ]] && { echo "$n"; return 0; }; done
  return 1
}

# On a failed wait: what NODE reports of the nodes and the quorum (wait_status shows 600 characters).
m_show() { # node
  e2e_log "$1 reports: $(e2e_status "$1" '"quorum %s coordinator %s; " % (s["quorum"], s["coordinator"]) + "; ".join(" ".join("%s=%s" % (k, v) for k, v in x.items() if k in ("name", "state", "role", "member", "service", "last_heard_ms")) for x in s["nodes"])')"
}
# Every node of ON reports exactly MEMBERS ("member": true; sorted, space separated) and a
# quorum of VOTES of EXPECTED, quorate.
m_wait_members() { # "on" "members" votes expected
  local n rc=0
  for n in $1; do
    check "$n: members $2, quorum $3 of $4" wait_status "$M_WAIT" "$n" \
      "' '.join(sorted(x['name'] for x in s['nodes'] if x.get('member') is True)) == '$2' and s['quorum']['votes'] == $3 and s['quorum']['expected'] == $4 and s['quorum']['quorate'] is True" || { rc=1; m_show "$n"; }
  done
  return $rc
}
# Every node of ON lists NODE with "member": false (and, with `online`, online: a learner
# that runs is online, README "Adding, removing and replacing nodes").
m_wait_listed_not_member() { # "on" node [online]
  local n rc=0 st=""
  [[ ${3:-} == online ]] && st=" and x['state'] == 'online'"
  for n in $1; do
    check "$n lists $2 as no member${3:+ ($3)}" wait_status "$M_WAIT" "$n" \
      "any(x['name'] == '$2' and x.get('member') is False$st for x in s['nodes'])" || { rc=1; m_show "$n"; }
  done
  return $rc
}
m_wait_unlisted() { # "on" node
  local n rc=0
  for n in $1; do
    check "$n no longer lists $2" wait_status "$M_WAIT" "$n" "all(x['name'] != '$2' for x in s['nodes'])" || { rc=1; m_show "$n"; }
  done
  return $rc
}

# hactl ARGS on NODE succeeds; its output names every word of NAMES and "member".
m_hactl_ok() { # node "names" args...
  local node=$1 names=$2; shift 2
  local out rc t0=$(date +%s%N)
  out=$(hactl_on "$node" "$@" 2>&1); rc=$?
  e2e_log "hactl $* on $node ($(( ($(date +%s%N) - t0) / 1000000 )) ms): rc=$rc $out"
  check "hactl $* on $node exits 0 (got $rc)" test "$rc" = 0 || return 1
  local w; for w in $names; do check "the output of hactl $* names $w" e2e_contains "$out" "$w"; done
  check "the output of hactl $* says member" grep -qi member <<<"$out"
}
# hactl ARGS on NODE is refused: exit 1, the message names NAME and matches REASON (ERE, any case).
m_hactl_refused() { # what node name reason args...
  local what=$1 node=$2 name=$3 reason=$4; shift 4
  local out rc
  out=$(hactl_on "$node" "$@" 2>&1); rc=$?
  e2e_log "hactl $* on $node ($what): rc=$rc $out"
  check "$what: hactl $* on $node exits 1 (got $rc)" test "$rc" = 1
  check "$what: the message names $name" e2e_contains "$out" "$name"
  check "$what: the message says why (/$reason/)" grep -Eqi -- "$reason" <<<"$out"
}
m_reload() { # nodes...
  local n out rc
  for n in "$@"; do
    out=$(hactl_on "$n" reload 2>&1); rc=$?
    e2e_log "hactl reload on $n: rc=$rc $out"
    check "hactl reload on $n exits 0" test "$rc" = 0
  done
}

# What must not change, and the end of the scenario: same node, same MainPID, the gap.
m_begin() {
  M_ACTIVE=$E2E_ACTIVE M_DEMO=$(e2e_demo_pid "$E2E_ACTIVE") M_TERM=$(e2e_status "$E2E_ACTIVE" 's["term"]')
  M_LEADER=$(e2e_status "$E2E_ACTIVE" 's["coordinator"]')
  : >"$HATC_DIR/fence.log"
  # A fresh probe: its longest gap is the membership changes'.
  e2e_probe_stop >/dev/null
  e2e_probe_start 15 --timeline "$HATC_DIR/probe-timeline" || check "the client probe answers again" false
  sleep 1
  M_T0=$(date +%s%N)
  e2e_log "active $M_ACTIVE (demo.service $M_DEMO), coordinator $M_LEADER, term $M_TERM"
  check "a coordinator is elected (${M_LEADER:-none})" test -n "$M_LEADER" -a "$M_LEADER" != None
  m_wait_members "$HATC_NODES" "n1 n2 n3" 3 3 || return 1
}
# When the longest gap between two answers in a probe timeline was, in wall-clock time (the
# timeline is monotonic), to set it against the steps in the log.
m_gap_when() { # timeline
  python3 - "$1" <<'EOF'
import sys, time
from datetime import datetime
done = sorted(int(f[1]) for f in (l.split() for l in open(sys.argv[1])) if len(f) == 3 and f[2] != "-")
if len(done) < 2:
    sys.exit()
gap, a, b = max((b - a, a, b) for a, b in zip(done, done[1:]))
off = time.time_ns() - time.monotonic_ns()
wall = lambda ns: datetime.fromtimestamp((ns + off) / 1e9).strftime("%H:%M:%S.%f")[:-3]
print(f"{gap / 1e6:.1f} ms from {wall(a)} to {wall(b)}")
EOF
}
m_end() { # [fences must be 0: yes|no]
  sleep 1
  local pj gap; pj=$(e2e_probe_stop); gap=$(e2e_json "$pj" max_gap_ms 2>/dev/null)
  e2e_log "probe over the membership changes: $pj; longest gap $(m_gap_when "$HATC_DIR/probe-timeline")"
  check "the client never waited more than ${E2E_MEMBERSHIP_MAX_GAP_MS} ms (longest gap ${gap:-?} ms)" \
    test "${gap%.*}" -le "$E2E_MEMBERSHIP_MAX_GAP_MS" 2>/dev/null
  e2e_probe_start 15 || check "the client probe answers again" false
  check "the VIP still answers from $M_ACTIVE" test "$(e2e_vip_node)" = "$M_ACTIVE"
  check "demo.service on $M_ACTIVE kept its MainPID $M_DEMO (now $(e2e_demo_pid "$M_ACTIVE"))" test "$(e2e_demo_pid "$M_ACTIVE")" = "$M_DEMO"
  local fences; fences=$(m_fence_calls)
  [[ ${1:-yes} == yes ]] && check "no fence call ($fences in fence.log)" test "$fences" = 0
  local term; term=$(e2e_status "$M_ACTIVE" 's["term"]')
  check "no election: the term stayed $M_TERM (now $term; a learner never campaigns)" test "$term" = "$M_TERM"
  E2E_DETAIL="gap=${gap:-?}ms term=$M_TERM->$term fences=$fences changes=$(( ($(date +%s%N) - M_T0) / 1000000000 ))s"
}

# A new full machine n4 into the running cluster: configuration, reloads, daemon, node add.
# ON: the nodes running haclusterd (members); MEMBERS: the members after the add.
m_add_n4() { # "on" "members after"
  local on=$1 after=$2 n votes; votes=$(wc -w <<<"$after")
  cluster_add_node n4 || { check "machine n4 added to the test cluster" false; return 1; }
  local first; first=$(m_others "$on" "$M_LEADER" | cut -d' ' -f1)
  cluster_config_add_node n4 || { check "n4 added to the configuration" false; return 1; }
  m_hactl_refused "n4 in no running configuration" "$first" n4 'config|unknown|not listed|no node|not heard|heard' node add n4
  m_reload $on
  m_wait_listed_not_member "$on" n4 || return 1
  m_hactl_refused "n4 not heard" "$first" n4 'heard|offline|not (running|alive|online|reachable)|silent|unreachable' node add n4
  e2e_log "start haclusterd on n4"
  cluster_start_daemon n4 || { check "haclusterd started on n4" false; return 1; }
  # A learner: alive, no member, no vote; the others' quorum is unchanged.
  m_wait_listed_not_member "$on n4" n4 online || return 1
  local prev=$(( votes - 1 ))
  m_wait_members "$on n4" "$(m_sorted "$(m_others "$after" n4)")" "$prev" "$prev" || return 1
  check "n4 sees the same coordinator ($M_LEADER)" test "$(e2e_status n4 's["coordinator"]')" = "$M_LEADER"
  check "n4 does not run the service" test "$(cluster_exec n4 systemctl --user is-active demo.service 2>/dev/null)" != active
  # The same change from two members at once: committed once, the other refused (pending or done).
  local second; second=$(m_others "$on" "$first" | cut -d' ' -f1)
  local r1 r2 t0; t0=$(date +%s%N)
  hactl_on "$first" --timeout 30s node add n4 >"$HATC_DIR/node-add.$first" 2>&1 & local p1=$!
  hactl_on "$second" --timeout 30s node add n4 >"$HATC_DIR/node-add.$second" 2>&1 & local p2=$!
  wait "$p1"; r1=$?; wait "$p2"; r2=$?
  e2e_log "hactl node add n4 on $first and $second at once ($(( ($(date +%s%N) - t0) / 1000000 )) ms): rc $r1: $(cat "$HATC_DIR/node-add.$first") | rc $r2: $(cat "$HATC_DIR/node-add.$second")"
  check "hactl node add n4 on $first and $second at once: one exits 0, the other 1 (got $r1, $r2)" \
    test "$(m_sorted "$r1 $r2")" = "0 1"
  local winner=$first loser=$second; [[ $r1 == 0 ]] || { winner=$second; loser=$first; }
  local out; out=$(cat "$HATC_DIR/node-add.$winner")
  check "the output of hactl node add n4 on $winner names n4 and says member" bash -c '[[ $0 == *n4* ]] && grep -qi member <<<"$0"' "$out"
  out=$(cat "$HATC_DIR/node-add.$loser")
  check "the refusal on $loser says why (pending or already a member)" grep -Eqi 'already|pending|in progress|not committed|one at a time' <<<"$out"
  m_wait_members "$on n4" "$(m_sorted "$after")" "$votes" "$votes" || return 1
  check "n4 is online for $first" test "$(e2e_status "$first" '[x["state"] for x in s["nodes"] if x["name"] == "n4"][0]')" = online
  m_hactl_refused "n4 already a member" n4 n4 'already' node add n4
}

add_remove() {
  m_begin || return 1
  local leader=$M_LEADER active=$M_ACTIVE
  # ---- add n4
  m_add_n4 "n1 n2 n3" "n1 n2 n3 n4" || return 1
  # ---- remove a node that runs neither the service nor the coordinator
  leader=$(e2e_status n4 's["coordinator"]')
  local victim; victim=$(m_pick_idle "n1 n2 n3" "$active" "$leader") || { check "a node neither active nor coordinator" false; return 1; }
  local rest; rest=$(m_others "n1 n2 n3 n4" "$victim")
  e2e_log "remove $victim (active $active, coordinator $leader)"
  # The node running the service must be moved away first, the coordinator stopped first.
  # The coordinator runs the service whenever it can (a move hands the coordination over
  # too), so both are one node here, and either reason will do.
  local move='hactl move|move (it|the service) away' coord='stop haclusterd|coordinat|leader'
  if [[ $leader != "$active" ]]; then
    m_hactl_refused "the active node" n4 "$active" "$move" node remove "$active"
    m_hactl_refused "the coordinator" n4 "$leader" "$coord" node remove "$leader"
  else
    m_hactl_refused "the active node, coordinator too" n4 "$active" "$move|$coord" node remove "$active"
  fi
  local conf=$HATC_DIR/etc/haclusterd.toml
  cp -p "$conf" "$conf.saved"
  cluster_config_remove_node "$victim"
  local out rc; out=$(hactl_on n4 reload 2>&1); rc=$?
  e2e_log "hactl reload on n4 without $victim's [[node]]: rc=$rc $out"
  mv -f "$conf.saved" "$conf"
  check "a reload without $victim's [[node]] while it is a member exits 1" test "$rc" = 1
  check "the refusal names $victim" e2e_contains "$out" "$victim"
  check "the refusal says member" grep -qi member <<<"$out"
  m_wait_members "n1 n2 n3 n4" "n1 n2 n3 n4" 4 4 || return 1
  m_hactl_ok n4 "$victim" node remove "$victim" || return 1
  m_wait_members "$rest" "$(m_sorted "$rest")" 3 3 || return 1
  m_wait_listed_not_member "$rest" "$victim"
  e2e_log "stop haclusterd on $victim"
  check "haclusterd on $victim stops" cluster_stop_daemon "$victim" 30
  cluster_config_remove_node "$victim" || { check "$victim removed from the configuration" false; return 1; }
  # shellcheck disable=SC2086
  m_reload $rest
  m_wait_unlisted "$rest" "$victim"
  m_wait_members "$rest" "$(m_sorted "$rest")" 3 3
  E2E_NOT=$victim
  m_end yes
  E2E_DETAIL+=" removed=$victim"
}

# A failed node (FAILED) seen lost by the LIVE ones (quorum 2 of 3), then removed on ACTIVE:
# the live nodes are the members, FAILED still listed as a non-member.
m_remove_failed() { # failed live active
  local failed=$1 live=$2 active=$3 n
  for n in $live; do
    check "$n: $failed lost, quorum 2 of 3" wait_status "$M_WAIT" "$n" \
      "any(x['name'] == '$failed' and x['state'] != 'online' for x in s['nodes']) and s['quorum']['votes'] == 2 and s['quorum']['expected'] == 3 and s['quorum']['quorate'] is True" || return 1
  done
  m_hactl_ok "$active" "$failed" node remove "$failed" || return 1
  m_wait_members "$live" "$live" 2 2 || return 1
  m_wait_listed_not_member "$live" "$failed"  # a failure here is recorded; the scenario goes on
  return 0
}

replace() {
  m_begin || return 1
  local leader=$M_LEADER active=$M_ACTIVE
  local failed; failed=$(m_pick_idle "n1 n2 n3" "$active" "$leader") || { check "a node neither active nor coordinator" false; return 1; }
  local live; live=$(m_others "n1 n2 n3" "$failed")
  local pid; pid=$(e2e_daemon_pid "$failed")
  e2e_log "kill -9 haclusterd ($pid) on $failed"
  kill -9 "$pid"
  m_remove_failed "$failed" "$live" "$active" || return 1
  check "haclusterd on $failed is not running (stopped if a fence restarted it)" cluster_stop_daemon "$failed" 30
  m_add_n4 "$live" "$live n4" || return 1
  cluster_config_remove_node "$failed" || { check "$failed removed from the configuration" false; return 1; }
  # shellcheck disable=SC2086
  m_reload $live n4
  m_wait_unlisted "$live n4" "$failed"
  m_wait_members "$live n4" "$(m_sorted "$live n4")" 3 3
  E2E_NOT=$failed
  m_end no
  E2E_DETAIL+=" replaced=$failed"
}

# The failed machine replaced under the same name and addresses: no configuration change.
replace_same() {
  m_begin || return 1
  local leader=$M_LEADER active=$M_ACTIVE
  local failed; failed=$(m_pick_idle "n1 n2 n3" "$active" "$leader") || { check "a node neither active nor coordinator" false; return 1; }
  local live; live=$(m_others "n1 n2 n3" "$failed")
  e2e_log "power off $failed (the machine fails)"
  cluster_kill_node "$failed" || { check "$failed powered off" false; return 1; }
  m_remove_failed "$failed" "$live" "$active" || return 1
  # The new machine: same name and addresses, nothing in its state directory; it boots
  # (its haclusterd starts) as a learner.
  find "$HATC_DIR/nodes/$failed/state" -mindepth 1 -delete
  e2e_log "a fresh machine as $failed (empty state directory) boots"
  cluster_poweron "$failed" || { check "$failed boots" false; return 1; }
  m_wait_listed_not_member "$live $failed" "$failed" online || return 1
  m_wait_members "$live $failed" "$live" 2 2 || return 1
  check "$failed sees the same coordinator ($leader)" test "$(e2e_status "$failed" 's["coordinator"]')" = "$leader"
  local first; first=$(m_others "$live" "$leader" | cut -d' ' -f1)
  m_hactl_ok "$first" "$failed" node add "$failed" || return 1
  m_wait_members "$live $failed" "n1 n2 n3" 3 3
  m_end no
  E2E_DETAIL+=" replaced=$failed (same name)"
}

all=(add-remove replace replace-same)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  case $s in
    add-remove|replace|replace-same) e2e_scenario "membership-$s" "${s//-/_}" --variant three --timings "${E2E_TIMINGS:-default}" ;;
    *) echo "unknown scenario $s (${all[*]})" >&2; E2E_FAILED=1 ;;
  esac
done
exit $E2E_FAILED
