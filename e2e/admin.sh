#!/usr/bin/env bash
# Planned moves through hactl on the witness cluster:
#   move      `hactl move` moves the service away from the active node
#   standby   `hactl standby <active>` moves it away; `unstandby` keeps it where it is
# Usage: e2e/admin.sh [scenario...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

move() {
  local a=$E2E_ACTIVE other
  other=$(for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && echo "$n"; done | head -1)
  e2e_log "hactl move $other (from $a, asked on n3)"
  local t0; t0=$(date +%s%N)
  hactl_on n3 move "$other"; local rc=$?
  check "hactl move exits 0" test $rc -eq 0
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 30 "$a") || return 1
  E2E_DETAIL="move took $(( ($(date +%s%N) - t0) / 1000000 ))ms"
  check "the service moved to $other" test "$n" = "$other"
  local cons; cons=$(e2e_status n3 '" ".join(c["kind"]+":"+c["node"] for c in s["constraints"])')
  check "status shows the constraint the move made (constraints: $cons)" test -n "$cons"
  e2e_no_late_announcement "$a" "$n" "$t0"
}

# The old node, alive, must not announce the VIP once it gave it up. Its announcement
# (arp_count GARPs, one a second) began before T0_NS, so after arp_count seconds from
# T0_NS any it still sent would have reached the client.
e2e_no_late_announcement() { # old new t0_ns
  local until_ns=$(( $3 + $(e2e_arp_count) * 1000000000 ))
  while (( $(date +%s%N) < until_ns )); do sleep 0.1; done
  check "the client's ARP entry for the VIP stayed on $2 (no late announcement from $1)" e2e_client_arp_stays "$2"
  check "the takeover on $2 succeeded at once (no duplicate-address conflict)" \
    e2e_not grep -q 'takeover failed' "$HATC_DIR/nodes/$2/haclusterd.log"
}

standby() {
  local a=$E2E_ACTIVE
  e2e_log "hactl standby $a"
  local t0; t0=$(date +%s%N)
  hactl_on "$a" standby "$a"; local rc=$?
  check "hactl standby exits 0" test $rc -eq 0
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 30 "$a") || return 1
  e2e_no_late_announcement "$a" "$n" "$t0"
  check "status shows $a in standby" test "$(e2e_status n3 "[x[\"state\"] for x in s[\"nodes\"] if x[\"name\"]==\"$a\"][0]")" = standby
  hactl_on n3 unstandby "$a"
  check "hactl unstandby exits 0" test $? -eq 0
  sleep 2
  check "the service stays on $n after unstandby" test "$(e2e_vip_node)" = "$n"
}

all=(move standby)
(($#)) || set -- "${all[@]}"
for s in "$@"; do e2e_scenario "$s" "$s" --variant witness --timings "${E2E_TIMINGS:-default}"; done
exit $E2E_FAILED
