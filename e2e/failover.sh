#!/usr/bin/env bash
# Unplanned failovers on the witness cluster (n1, n2 full nodes; n3 witness):
#   crash     kill -9 of the active node's haclusterd and service; the [[alert]] program of
#             the new active node ran on the fence and takeover events
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
  check "$n's [[alert]] program ran on the failover's events, in order, with the term" alerts_ran "$n" "$a"
}

# The alert program (HATC_ALERT=1) of NODE got service.takeover, fence.started, fence.succeeded and
# service.started, in that order, with a term; its environment held no secret and nothing else.
alerts_ran() { # node fenced
  local d=$HATC_DIR/alerts deadline=$(( $(date +%s) + 10 ))
  until grep -q "^$1 service.started " "$d/log" 2>/dev/null || (( $(date +%s) > deadline )); do sleep 0.2; done
  e2e_log "alerts on $1: $(grep "^$1 " "$d/log" 2>/dev/null | tr '\n' ';')"
  python3 - "$d" "$1" "$2" "$HATC_DIR/etc" <<'PY'
import base64, os, re, sys
d, node, fenced, etc = sys.argv[1:]
rows = [l.split() for l in open(os.path.join(d, "log")) if l.startswith(node + " ")]
kinds = [r[1] for r in rows]
want = ["service.takeover", "fence.started", "fence.succeeded", "service.started"]
pos = [kinds.index(k) if k in kinds else -1 for k in want]
assert -1 not in pos and pos == sorted(pos), f"{want} not all there in order: {kinds}"
started = rows[pos[3]]
assert started[2].isdigit() and int(started[2]) >= 2, f"HA_TERM {started[2]}"
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", started[4]), started[4]
seqs = [int(r[3]) for r in rows]
assert seqs == sorted(seqs), f"sequence out of order: {seqs}"
env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(d, f"{node}.{started[3]}.env")) if "=" in l)
assert env["HA_EVENT"] == "service.started" and env["HA_NODE"] == node, env
extra = {k for k in env if not k.startswith("HA_")} - {"PATH", "LC_ALL", "PWD", "SHLVL", "_"}
assert not extra, f"unexpected variables: {extra}"
key = open(os.path.join(etc, "authkey"), "rb").read()
forms = [key.hex(), base64.b64encode(key).decode(), "authkey"]
assert not any(f in v for f in forms for v in env.values()), "the cluster key leaked into the alert's environment"
PY
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
  # The crashes also run an [[alert]] program on every node (HATC_ALERT).
  HATC_ALERT=$([[ $s == crash* ]] && echo 1 || echo 0) e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
