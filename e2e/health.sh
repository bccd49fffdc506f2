#!/usr/bin/env bash
# The health check (`health_url`) moves the service:
#   health-fail        the active node's demo answers 503 on its health URL: after `fall`
#                      (3) failed checks in a row the service fails, is restarted in place,
#                      its restart never becomes healthy (bounded by start_timeout), and the
#                      service moves to the other full node: no fence, the failure count
#                      reaches migration_threshold; `hactl status` shows the health on the way
#   health-fail-three  the same on the 3-full-node variant
# Usage: e2e/health.sh [scenario...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

e2e_fence_calls() { grep -cE 'action=(reboot|off|on) ' "$HATC_DIR/fence.log" 2>/dev/null; }

health_fail() {
  local a=$E2E_ACTIVE flag
  flag=$HATC_DIR/shared/demo-unhealthy-$a
  : >"$HATC_DIR/fence.log"
  check "status on $a shows the service healthy first" \
    test "$(e2e_status "$a" '(s["service"].get("health") or {}).get("state")')" = healthy
  e2e_log "health URL of $a answers 503 from now on"
  touch "$flag"
  local seen="" state detail t0; t0=$(date +%s)
  # Status on the way: the failures counted up to `fall`, then unhealthy.
  while (( $(date +%s) - t0 < 15 )); do
    state=$(e2e_status "$a" '(s["service"].get("health") or {}).get("state")' 2>/dev/null)
    detail=$(e2e_status "$a" '(s["service"].get("health") or {}).get("detail")' 2>/dev/null)
    [[ -n $state && $state != None ]] && seen+="$state: $detail|"
    [[ $state == unhealthy ]] && break
    grep -q 'service failed: health check failing' "$HATC_DIR/nodes/$a/haclusterd.log" && break
    sleep 0.2
  done
  e2e_log "health seen on $a: $seen"
  check "status showed the failing checks counted before the verdict" e2e_contains "$seen" "in a row before it counts as a failure"
  check "$a logged the service failure from the health check" \
    hatc_wait 15 "the health failure in the log" grep -q 'service failed: health check failing' "$HATC_DIR/nodes/$a/haclusterd.log"
  E2E_NOT=$a
  local n; n=$(e2e_wait_active 60 "$a") || { rm -f "$flag"; return 1; }
  local took=$(( $(date +%s) - t0 ))
  e2e_log "the service moved to $n after ${took}s"
  check "$a's restart in place failed its health wait" grep -q 'healthy failed' "$HATC_DIR/nodes/$a/haclusterd.log"
  # start-failure-is-fatal: one failed restart moves the service (not migration_threshold of them).
  local restarts; restarts=$(grep -c 'takeover failed: healthy failed' "$HATC_DIR/nodes/$a/haclusterd.log")
  check "the service moved after one failed restart in place ($restarts)" test "$restarts" = 1
  check "no fence call ($(e2e_fence_calls) in fence.log)" test "$(e2e_fence_calls)" = 0
  local failures; failures=$(e2e_status "$n" "s['service']['failures'].get('$a', 0)")
  check "status counts $a's failures up to migration_threshold (3; now $failures)" test "${failures:-0}" -ge 3
  local there; there=$(e2e_status "$n" '(s["service"].get("health") or {}).get("state")')
  check "status on $n shows the service healthy there (now: $there)" test "$there" = healthy
  rm -f "$flag"
  hactl_on "$n" cleanup "$a" >/dev/null 2>&1 || check "hactl cleanup $a exits 0" false
  E2E_DETAIL="moved_after=${took}s failures=$failures fence_calls=$(e2e_fence_calls)"
  return 0
}
health_fail_three() { health_fail; }

all=(health-fail health-fail-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness; [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
