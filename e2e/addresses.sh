#!/usr/bin/env bash
# Floating addresses on the witness cluster (n1, n2 full nodes; n3 witness), with a second
# floating address (HATC_VIP2 = 198.18.10.51/24) next to the VIP:
#   two-vips     kill -9 of the active node's haclusterd and service: both addresses move
#                together to the other node, never held by two nodes (the sampler watches both)
#   vip-removed  `ip addr del` of the VIP on the active node: the node puts it back within a
#                few seconds (event ip.restored), same demo.service MainPID, no failover
#   two-vips-three, vip-removed-three   the same on the 3-full-node variant
# Usage: e2e/addresses.sh [scenario...]   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

export HATC_VIP2=$HATC_SUBNET.51/24
VIP2=${HATC_VIP2%/*}

# Which nodes hold the second address (space separated).
vip2_holders() {
  local n out=()
  for n in $HATC_NODES; do
    ip -n "$HATC_TAG-$n" -o -4 addr show 2>/dev/null | grep " $VIP2/" >/dev/null && out+=("$n")
  done
  echo "${out[*]}"
}

# Waits until NODE alone holds both addresses (bounded).
both_on() { # node timeout
  local deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) <= deadline )); do
    [[ $(cluster_vip_holders) == "$1" && $(vip2_holders) == "$1" ]] && return 0
    sleep 0.1
  done
  return 1
}

# The fence agent's power actions (its monitor calls are not fencing).
fence_calls() { local c; c=$(grep -cE 'action=(reboot|off|on) ' "$HATC_DIR/fence.log" 2>/dev/null); echo "${c:-0}"; }

two_vips() {
  local a=$E2E_ACTIVE dp sp n
  check "$a holds both addresses (VIP: $(cluster_vip_holders); VIP2: $(vip2_holders))" both_on "$a" 5
  dp=$(e2e_daemon_pid "$a"); sp=$(e2e_demo_pid "$a")
  e2e_log "kill -9 haclusterd ($dp) and demo ($sp) on $a"
  kill -9 "$dp" "$sp"
  E2E_NOT=$a
  n=$(e2e_wait_active 40 "$a") || return 1
  check "$n holds both addresses after the failover (VIP: $(cluster_vip_holders); VIP2: $(vip2_holders))" both_on "$n" 10
  E2E_DETAIL="both addresses $a -> $n"
}

vip_removed() {
  local a=$E2E_ACTIVE pid term t0 back=""
  pid=$(e2e_demo_pid "$a"); term=$(e2e_status "$a" "s['term']")
  check "$a holds both addresses" both_on "$a" 5
  e2e_log "ip addr del $HATC_VIP/24 on $a (demo MainPID $pid, term $term)"
  t0=$(date +%s%N)
  ip -n "$HATC_TAG-$a" addr del "$HATC_VIP/24" dev eth0
  check "the VIP is gone from $a" test -z "$(cluster_vip_holders)"
  local deadline=$(( $(date +%s) + 10 ))
  while (( $(date +%s) <= deadline )); do
    [[ $(cluster_vip_holders) == "$a" ]] && { back=$(( ($(date +%s%N) - t0) / 1000000 )); break; }
    sleep 0.05
  done
  check "the VIP is back on $a within 10 s (after ${back:-never} ms)" test -n "$back"
  check "$a still holds VIP2 (holders: $(vip2_holders))" test "$(vip2_holders)" = "$a"
  check "same demo.service MainPID on $a ($pid)" test "$(e2e_demo_pid "$a")" = "$pid"
  check "no failover: $a still active, term $term" test "$(e2e_vip_node)" = "$a" -a "$(e2e_status "$a" "s['term']")" = "$term"
  check "event ip.restored in $a's log" grep -q "added it back.*event_kind=ip.restored\|ip.restored.*added it back" "$HATC_DIR/nodes/$a/haclusterd.log"
  local ev; ev=$(hactl_on "$a" events 2>/dev/null | grep ip.restored)
  check "hactl events on $a: ${ev:-no ip.restored event}" test -n "$ev"
  check "no fence call ($(fence_calls) in fence.log)" test "$(fence_calls)" = 0
  E2E_DETAIL="VIP back after ${back:-?} ms"
}

two_vips_three() { two_vips; }
vip_removed_three() { vip_removed; }

all=(two-vips vip-removed two-vips-three vip-removed-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness; [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
