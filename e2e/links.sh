#!/usr/bin/env bash
# Redundant links: every node on two networks (cluster.sh --links 2: eth0 198.18.10.0/24,
# eth1 198.18.11.0/24, both in [[node]] addresses).
#   one-link-down    link 1 of the active node pulled: no failover for 5 s (same node answers
#                    on the VIP, same demo.service MainPID, same term); a peer's hactl status
#                    shows that link down and its events a link.down naming the link still up;
#                    plugged back: link.up, status up
#   both-links-down  both links of the active node pulled: link.down "unreachable on every
#                    link" on a peer, the service fails over to another node
#   *-three          the same on the 3-full-node variant
# Usage: e2e/links.sh [scenario...]   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

# A node other than NODE (the first in order).
peer_of() { local n; for n in $HATC_NODES; do [[ $n != "$1" ]] && { echo "$n"; return; }; done; }

# The state (up/down) of NODE's link L as PEER's `hactl --json status` shows it.
link_state() { # peer node link
  e2e_status "$1" "[l['state'] for l in s.get('links', []) if l['node'] == '$2' and l['link'] == $3][0]"
}
link_state_is() { [[ $(link_state "$1" "$2" "$3") == "$4" ]]; }
all_links_up() { # peer
  [[ $(e2e_status "$1" "len(s['links']) > 0 and all(l['state'] == 'up' for l in s['links'])") == True ]]
}

# Events KIND on PEER whose message contains every TEXT (prints them; fails when none).
events_with() { # peer kind text...
  local peer=$1 kind=$2; shift 2
  local ev; ev=$(hactl_on "$peer" --json events 2>/dev/null) || return 1
  python3 - "$ev" "$kind" "$@" <<'PY'
import json, sys
events = json.loads(sys.argv[1])["events"]
kind, texts = sys.argv[2], sys.argv[3:]
found = [e["message"] for e in events if e["kind"] == kind and all(t in e["message"] for t in texts)]
for m in found:
    print(m)
sys.exit(0 if found else 1)
PY
}

# Succeeds for SECONDS while NODE keeps answering on the VIP (sampled every 0.25 s).
vip_stays_on() { # node seconds
  local deadline=$(( $(date +%s%N) + $2 * 1000000000 )) n
  while (( $(date +%s%N) < deadline )); do
    n=$(e2e_vip_node)
    [[ $n == "$1" ]] || { e2e_log "the VIP answered from '${n:-nobody}', not $1"; return 1; }
    sleep 0.25
  done
}

one_link_down() {
  local a=$E2E_ACTIVE p term pid ip1
  p=$(peer_of "$a"); ip1=$(hatc_node_ip "$p" 1)
  require "$p shows every link up before the cut" hatc_wait 10 "all links up on $p" all_links_up "$p" || return 1
  term=$(e2e_status "$a" "s['term']"); pid=$(e2e_demo_pid "$a")
  e2e_log "pull link 1 of $a (term $term, demo MainPID $pid); watching from $p"
  cluster_link_down "$a" 1
  local t0; t0=$(date +%s%N)
  check "$p's status shows link 1 to $a down" hatc_wait 5 "link 1 to $a down on $p" link_state_is "$p" "$a" 1 down
  check "$p's status still shows link 0 to $a up" link_state_is "$p" "$a" 0 up
  local ev; ev=$(events_with "$p" link.down "link 1 ($ip1) to $a is down" "$a still reachable on link 0")
  check "$p recorded link.down for link 1 to $a, still reachable on link 0" test -n "$ev"
  e2e_log "event on $p: $ev"
  local text; text=$(hactl_on "$p" status 2>/dev/null | grep -A3 '^Links:' | grep "^  $a ")
  e2e_log "hactl status on $p: $text"
  check "hactl status on $p shows link 1 to $a DOWN" e2e_contains "$text" "link 1 ($ip1) DOWN"
  # No failover: at least 5 s after the cut, counted from the cut.
  local waited=$(( ($(date +%s%N) - t0) / 1000000000 ))
  check "the VIP stays on $a for 5 s after the cut" vip_stays_on "$a" $(( 5 - waited > 1 ? 5 - waited : 1 ))
  check "demo.service on $a has the same MainPID ($pid)" test "$(e2e_demo_pid "$a")" = "$pid"
  check "the term is unchanged ($term)" test "$(e2e_status "$a" "s['term']")" = "$term"
  check "exactly one link.down on $p for link 1 to $a" test "$(events_with "$p" link.down "link 1 ($ip1) to $a" | wc -l)" = 1
  e2e_log "plug link 1 of $a back"
  cluster_link_up "$a" 1
  check "$p's status shows link 1 to $a up again" hatc_wait 5 "link 1 to $a up on $p" link_state_is "$p" "$a" 1 up
  check "$p recorded link.up for link 1 to $a" events_with "$p" link.up "link 1 ($ip1) to $a is up again"
  check "demo.service on $a still has MainPID $pid" test "$(e2e_demo_pid "$a")" = "$pid"
  check "the term is still $term" test "$(e2e_status "$a" "s['term']")" = "$term"
  E2E_DETAIL="active $a, watched from $p"
}

both_links_down() {
  local a=$E2E_ACTIVE p
  p=$(peer_of "$a")
  require "$p shows every link up before the cut" hatc_wait 10 "all links up on $p" all_links_up "$p" || return 1
  e2e_log "pull both links of $a"
  cluster_link_down "$a" all
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || { cluster_link_up "$a" all; return 1; }
  e2e_log "service moved to $n"
  check "$n recorded link.down to $a, unreachable on every link" \
    events_with "$n" link.down "to $a is down" "$a unreachable on every link"
  cluster_link_up "$a" all
  sleep 2
  E2E_DETAIL="$a -> $n"
}

one_link_down_three() { one_link_down; }
both_links_down_three() { both_links_down; }

all=(one-link-down both-links-down one-link-down-three both-links-down-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness; [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}" --links 2
done
exit $E2E_FAILED
