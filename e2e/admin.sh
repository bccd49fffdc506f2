#!/usr/bin/env bash
# Planned moves through hactl on the witness cluster:
#   move      `hactl move NODE --wait` (on the witness) returns once the service answers on NODE;
#             `--wait --timeout 150ms` gives up with exit 5 while the move goes on
#   standby   `hactl standby <active> --wait` returns once it answers on the other node;
#             `unstandby` keeps it where it is; a standby with nowhere to go fails `--wait`
#             (exit 1, saying why)
# Usage: e2e/admin.sh [scenario...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

move() {
  local a=$E2E_ACTIVE other
  other=$(for n in $HATC_FULL_NODES; do [[ $n != "$a" ]] && echo "$n"; done | head -1)
  e2e_log "hactl move $other (from $a, asked on n3)"
  local t0; t0=$(date +%s%N)
  local out; out=$(hactl_on n3 move "$other" --wait --timeout 60s); local rc=$?
  local took=$(( ($(date +%s%N) - t0) / 1000000 ))
  e2e_log "hactl move --wait: $out"
  check "hactl move --wait exits 0" test $rc -eq 0
  # --wait returned: the service must answer on its new node now, not some time later.
  check "when move --wait returned, demo.service ran on $other only (got: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$other"
  check "when move --wait returned, the floating IP answered from $other" test "$(e2e_vip_node)" = "$other"
  check "move --wait says where it got" e2e_contains "$out" "started on $other"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 30 "$a") || return 1
  E2E_DETAIL="move --wait took ${took}ms"
  check "the service moved to $other" test "$n" = "$other"
  local cons; cons=$(e2e_status n3 '" ".join(c["kind"]+":"+c["node"] for c in s["constraints"])')
  check "status shows the constraint the move made (constraints: $cons)" test -n "$cons"
  e2e_no_late_announcement "$a" "$n" "$t0"

  # A bound shorter than any move: the change commits, the wait gives up with exit 5, the move goes on.
  hactl_on n3 clear >/dev/null
  out=$(hactl_on n3 move "$a" --wait --timeout 150ms 2>&1); rc=$?
  e2e_log "hactl move --wait --timeout 150ms: rc=$rc $out"
  check "move --wait --timeout 150ms exits 5 (got $rc)" test $rc -eq 5
  check "it says it gave up waiting" e2e_contains "$out" "gave up waiting"
  n=$(e2e_wait_active 30 "$other") || return 1
  check "the move went on to $a anyway" test "$n" = "$a"
  E2E_NOT=$other
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
  local out; out=$(hactl_on "$a" standby "$a" --wait --timeout 60s); local rc=$?
  e2e_log "hactl standby --wait: $out"
  check "hactl standby --wait exits 0" test $rc -eq 0
  local other; other=$(for x in $HATC_FULL_NODES; do [[ $x != "$a" ]] && echo "$x"; done | head -1)
  check "when standby --wait returned, demo.service ran on $other only (got: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$other"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 30 "$a") || return 1
  e2e_no_late_announcement "$a" "$n" "$t0"
  check "status shows $a in standby" test "$(e2e_status n3 "[x[\"state\"] for x in s[\"nodes\"] if x[\"name\"]==\"$a\"][0]")" = standby
  hactl_on n3 unstandby "$a"
  check "hactl unstandby exits 0" test $? -eq 0
  sleep 2
  check "the service stays on $n after unstandby" test "$(e2e_vip_node)" = "$n"

  # Nowhere to go: $a banned, $n put in standby. --wait fails (exit 1) and says why.
  hactl_on n3 ban "$a" >/dev/null
  out=$(hactl_on n3 standby "$n" --wait --timeout 60s 2>&1); rc=$?
  e2e_log "hactl standby $n --wait with $a banned: rc=$rc $out"
  check "standby --wait with no other eligible node exits 1 (got $rc)" test $rc -eq 1
  check "it names the reason" e2e_contains "$out" "no eligible node"
  out=$(hactl_on n3 status --check); rc=$?
  e2e_log "status --check: rc=$rc $out"
  check "status --check says CRITICAL (exit 2) while the service is blocked (got $rc)" test $rc -eq 2
  check "the check line names the service blocked" e2e_contains "$out" "HACLUSTER CRITICAL"
  hactl_on n3 clear >/dev/null
  hactl_on n3 unstandby "$n" >/dev/null
  check "hactl clear and unstandby bring the service back" test "$(e2e_wait_active 30)" != ""
  E2E_NOT=""
}

all=(move standby)
(($#)) || set -- "${all[@]}"
for s in "$@"; do e2e_scenario "$s" "$s" --variant witness --timings "${E2E_TIMINGS:-default}"; done
exit $E2E_FAILED
