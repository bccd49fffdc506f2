#!/usr/bin/env bash
# Unplanned failovers on the witness cluster (n1, n2 full nodes; n3 witness):
#   crash     kill -9 of the active node's haclusterd and service
#   link-down the active node's cable is pulled (its switch port goes down)
#   pause     SIGSTOP of the active haclusterd for longer than the lease, then SIGCONT
#   isolated  the active node cut off from both peers (the client still reaches it):
#             it must release by itself; the others take over after fencing it
#   crash-three the crash on the 3-full-node variant
# Usage: e2e/failover.sh [scenario...]   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

crash() {
  local a=$E2E_ACTIVE dp sp
  check "the first takeover ($a, a cold start) probed the segment for the VIP" \
    takeover_ip_says "$a" "probed for duplicates: $HATC_VIP"
  dp=$(e2e_daemon_pid "$a"); sp=$(e2e_demo_pid "$a")
  e2e_log "kill -9 haclusterd ($dp) and demo ($sp) on $a"
  kill -9 "$dp" "$sp"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || return 1
  check "$n took over from fenced $a without the duplicate-address probe" \
    takeover_ip_says "$n" "no duplicate-address probe"
  check "$n's last_failover timeline runs from detection to start and adds up to its total" timeline_adds_up "$n"
}

# The newest takeover.ip event of NODE contains TEXT.
takeover_ip_says() { # node text
  hactl_on "$1" events --json | python3 -c '
import json, sys
ips = [e["message"] for e in json.load(sys.stdin)["events"] if e["kind"] == "takeover.ip"]
print("takeover.ip:", ips[-1] if ips else None, file=sys.stderr)
sys.exit(0 if ips and sys.argv[1] in ips[-1] else 1)' "$2"
}

# `hactl status`'s last_failover on NODE: the steps detect, election, lease, wait, fence, lock,
# ip, start in that order (then healthy with a health check, then maybe other), summing to `milliseconds`, with detection about
# a failure_timeout (the daemon was killed, so it was silent from then on).
timeline_adds_up() { # node
  local ft_ms=1000; [[ $HATC_TIMINGS == fast ]] && ft_ms=250
  hactl_on "$1" --json status | python3 -c '
import json, sys
f = json.load(sys.stdin)["last_failover"]
steps = [(s["name"], s["milliseconds"]) for s in f["steps"]]
print("last_failover:", f.get("milliseconds"), steps, file=sys.stderr)
names = [n for n, _ in steps if n != "other"]
ft = int(sys.argv[1])
ok = (names[:8] == ["detect", "election", "lease", "wait", "fence", "lock", "ip", "start"] and names[8:] in ([], ["healthy"])
      and f.get("milliseconds") == sum(ms for _, ms in steps)
      and 0.5 * ft <= steps[0][1] <= 2 * ft
      and all(ms >= 0 for _, ms in steps))
sys.exit(0 if ok else 1)' "$ft_ms"
}

link_down() {
  local a=$E2E_ACTIVE
  e2e_log "link down on $a"
  cluster_link_down "$a"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || return 1
  # The isolated node must have released (or been fenced) before anyone else held the VIP:
  # the sampler checks that. Reconnect it and let it rejoin as standby.
  cluster_link_up "$a"
  sleep 2
}

pause() {
  local a=$E2E_ACTIVE lease_s=3
  [[ $HATC_TIMINGS == fast ]] && lease_s=1
  e2e_log "SIGSTOP haclusterd on $a for ${lease_s}s"
  cluster_pause "$a"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || { cluster_resume "$a" 2>/dev/null; return 1; }
  sleep "$lease_s"
  cluster_resume "$a" 2>/dev/null || e2e_log "(haclusterd on $a is gone: fenced)"
  sleep 2
}

isolated() {
  local a=$E2E_ACTIVE
  e2e_log "cut $a off from its peers"
  : >"$HATC_DIR/fence.log"
  cluster_cut "$a"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 40 "$a") || return 1
  check "$a was fenced before $n took over" grep -q "port=$a powered off" "$HATC_DIR/fence.log"
  check "$a released by itself (its demo.service stopped cleanly, not killed)" e2e_clean_stop "$a"
  cluster_heal
  sleep 2
}

crash_three() { crash; }

all=(crash link-down pause isolated crash-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness; [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
