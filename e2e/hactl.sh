#!/usr/bin/env bash
# hactl against a real cluster (witness variant: n1, n2 run the service, n3 is a witness):
#   commands       every command's exit status and JSON (status, status --check, disable/enable
#                  --wait, maintenance, cleanup, clear, events, keygen, config check, check-storage)
#   cluster_wide   a change issued on a non-active node takes effect cluster-wide, and
#                  `ban/move --lifetime 5s` constraints expire by themselves on every node
#   no_quorum      a change on a node cut off from the others exits 4 (no quorum); status --check
#                  there is CRITICAL (exit 2)
#   unprivileged   a user outside root/haclient can neither read nor change: exit 4
#   fence          `hactl fence NODE --yes` fences the standby node: exit 0
#   quorum-unblock three full nodes, wait_for_all = true, n3 powered off: n1 alone is refused
#                  `hactl quorum unblock` (1 of 3 votes); n1 and n2 cold-started wait, no service;
#                  `hactl quorum unblock --yes` on n1: the service starts, the event has the uid
# Usage: e2e/hactl.sh [scenario...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

# hactl_rc NODE ARGS...: runs hactl on NODE, prints its exit status only.
hactl_rc() { hactl_on "$@" >/dev/null 2>&1; echo $?; }
# The full node that is not active.
standby_of() { local n; for n in $HATC_FULL_NODES; do [[ $n != "$1" ]] && { echo "$n"; return; }; done; }

# The spec's JSON: keys, vocabularies, and agreement with the cluster.
spec_json_ok() { # node active
  local j; j=$(hactl_on "$1" --json status) || return 1
  python3 - "$j" "$2" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); active = sys.argv[2]
need = {"cluster", "node", "term", "coordinator", "quorum", "maintenance", "nodes", "service", "constraints"}
assert need <= set(s), f"missing keys {need - set(s)}"
assert set(s["quorum"]) >= {"quorate", "votes", "expected"}
assert s["quorum"]["quorate"] is True and s["quorum"]["expected"] == 3, s["quorum"]
for n in s["nodes"]:
    assert n["state"] in {"online", "offline", "standby", "unclean", "fenced"}, n
    assert n["role"] in {"active", "standby", "witness"}, n
assert {n["name"] for n in s["nodes"] if n["role"] == "active"} == {active}, s["nodes"]
assert [n["role"] for n in s["nodes"] if n["name"] == "n3"] == ["witness"], s["nodes"]
svc = s["service"]
assert set(svc) >= {"name", "state", "node", "enabled", "failures"}
assert svc["state"] == "started" and svc["node"] == active and svc["enabled"] is True, svc
assert isinstance(s["term"], int) and isinstance(s["maintenance"], bool)
PY
}

commands() {
  local a=$E2E_ACTIVE n c
  for n in $HATC_NODES; do
    check "hactl --json status on $n matches the spec (active $a)" spec_json_ok "$n" "$a"
  done
  c=$(e2e_status n1 's["coordinator"]')
  for n in n2 n3; do check "$n agrees the coordinator is $c" test "$(e2e_status "$n" 's["coordinator"]')" = "$c"; done
  check "human status exits 0 and names the active node" e2e_contains "$(hactl_on n3 status)" "started on $a"
  local line rc
  line=$(hactl_on n3 status --check); rc=$?
  e2e_log "status --check: rc=$rc $line"
  check "status --check on a healthy cluster exits 0 (got $rc)" test "$rc" = 0
  check "its line is Nagios's OK with the active node" e2e_contains "$line" "HACLUSTER OK - "
  check "... naming where the service runs" e2e_contains "$line" "started on $a"
  line=$(hactl_on n3 --socket /run/nonexistent.sock status --check); rc=$?
  check "status --check without a daemon is UNKNOWN, exit 3 (got $rc: $line)" test "$rc" = 3
  check "... with a line on stdout" e2e_contains "$line" "HACLUSTER UNKNOWN - "

  local out; out=$(hactl_on n3 disable --wait --timeout 30s); rc=$?
  e2e_log "disable --wait: $out"
  check "hactl disable --wait (on n3) exits 0 (got $rc)" test "$rc" = 0
  check "no node runs demo.service the moment disable --wait returned" test -z "$(e2e_demo_nodes)"
  check "the service stopped cluster-wide" wait_status 30 n1 's["service"]["state"]=="stopped" and s["service"]["enabled"] is False'
  line=$(hactl_on n3 --json status --check); rc=$?
  check "status --check with the service disabled is degraded, exit 1 (got $rc: $line)" test "$rc" = 1
  check "... and says so" python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["verdict"]=="degraded" and c["exit"]==1 and any("disabled" in p for p in c["problems"]), c' "$line"
  out=$(hactl_on n3 enable --wait --timeout 40s); rc=$?
  e2e_log "enable --wait: $out"
  check "hactl enable --wait exits 0 (got $rc)" test "$rc" = 0
  local running; running=$(e2e_demo_nodes)
  check "demo.service runs on exactly one node the moment enable --wait returned (got: $running)" test "$(wc -w <<<"$running")" = 1
  check "the floating IP answered from it at once" test "$(e2e_vip_node)" = "$running"
  E2E_ACTIVE=$(e2e_wait_active 40) || return 1

  check "maintenance on exits 0" test "$(hactl_rc n2 maintenance on)" = 0
  check "status shows maintenance on every node" wait_status 10 n1 's["maintenance"] is True'
  check "maintenance off exits 0" test "$(hactl_rc n2 maintenance off)" = 0
  check "maintenance is off again" wait_status 10 n3 's["maintenance"] is False'
  check "cleanup exits 0" test "$(hactl_rc n1 cleanup)" = 0
  check "clear exits 0" test "$(hactl_rc n1 clear)" = 0
  check "maintenance maybe is bad usage (2)" test "$(hactl_rc n1 maintenance maybe)" = 2
  check "ban with --lifetime 10m is bad usage (2)" test "$(hactl_rc n1 ban n2 --lifetime 10m)" = 2

  local ev; ev=$(hactl_on n1 --json events)
  check "events --json lists events" python3 -c 'import json,sys; e=json.loads(sys.argv[1])["events"]; assert len(e) > 0' "$ev"
  check "keygen writes a 0600 key" test "$(cluster_exec n1 bash -c 'rm -f /tmp/hactl-e2e.key; hactl keygen /tmp/hactl-e2e.key >/dev/null && stat -c %a /tmp/hactl-e2e.key')" = 600
  check "keygen refuses to overwrite (1)" test "$(hactl_rc n1 keygen /tmp/hactl-e2e.key)" = 1
  check "config check of the node's configuration exits 0" test "$(hactl_rc n1 config check)" = 0
  local st; st=$(hactl_on "$E2E_ACTIVE" --json check-storage /srv/hashared); local rc=$?
  e2e_log "check-storage: $st"
  check "check-storage /srv/hashared exits 0" test $rc = 0
  # The cross-node findings come from the other full nodes' daemons (relayed over the
  # cluster links): each must be checked and ok, never skipped.
  local others; others=$(for x in $HATC_FULL_NODES; do [[ $x != "$E2E_ACTIVE" ]] && echo "$x"; done | tr '\n' ' ')
  check "check-storage: same storage and cross-node flock checked and ok on ${others% } (no skip)" python3 - "$st" $others <<'PY'
import json, sys
report = json.loads(sys.argv[1])
findings = report["findings"]
cross = ("peers", "same_storage", "cross_node_flock", "service_user")
skipped = [f for f in findings if f["status"] == "skipped" and (f.get("node") or f["check"] in cross)]
assert not skipped, f"skipped: {skipped}"
for node in sys.argv[2:]:
    for check in ("same_storage", "cross_node_flock"):
        mine = [f for f in findings if f.get("node") == node and f["check"] == check]
        assert mine and all(f["status"] == "ok" for f in mine), f"{check} on {node}: {mine}"
PY
  check "every node's Prometheus metrics agree with the cluster (HATC_METRICS)" metrics_agree "$E2E_ACTIVE"
  E2E_DETAIL="active $E2E_ACTIVE"
}

# Scrapes http://127.0.0.1:9664/metrics inside each node and reads it with a real Prometheus
# parser: every node quorate in the same term, the same coordinator, ACTIVE the one holder,
# the control requests of this scenario counted, the loop's lateness measured everywhere and
# the coordinator's heartbeat round trips to every peer.
metrics_agree() { # active
  local n out=()
  for n in $HATC_NODES; do out+=("$n" "$(cluster_exec "$n" curl -sS --max-time 5 http://127.0.0.1:9664/metrics | base64 -w0)"); done
  /usr/bin/python3 - "$1" "${out[@]}" <<'PY'
import base64, sys
from prometheus_client.parser import text_string_to_metric_families
active, args = sys.argv[1], sys.argv[2:]
terms, coordinators = set(), set()
for node, blob in zip(args[0::2], args[1::2]):
    text = base64.b64decode(blob).decode()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(text) for s in f.samples}
    get = lambda name, **labels: samples.get((name, tuple(sorted(labels.items()))))
    assert get("haclusterd_quorate") == 1, f"{node}: not quorate"
    terms.add(get("haclusterd_term"))
    coordinators.add(tuple(sorted(k[1][0][1] for k, v in samples.items() if k[0] == "haclusterd_coordinator_node" and v == 1)))
    holders = [k[1][0][1] for k, v in samples.items() if k[0] == "haclusterd_holder_node" and v == 1]
    assert holders == [active], f"{node}: holders {holders}, expected [{active}]"
    assert get("haclusterd_service_state", state="started") == 1, f"{node}: service not started"
    unit = get("haclusterd_unit_state", unit="demo.service", state="active")
    assert unit == (1 if node == active else 0), f"{node}: demo.service active = {unit}"
    assert (get("haclusterd_control_requests_total", verb="status", result="ok") or 0) >= 1, f"{node}: status requests not counted"
    assert all(name.startswith("haclusterd_") for name, _ in samples), f"{node}: a name without the prefix"
    assert (get("haclusterd_event_loop_lag_seconds_count") or 0) > 0, f"{node}: no loop lag measured"
    if get("haclusterd_coordinator") == 1:
        # The coordinator sends the heartbeats: a round trip measured to every peer.
        peers = [n for n in args[0::2] if n != node]
        rtts = {p: get("haclusterd_heartbeat_rtt_seconds_count", node=p) or 0 for p in peers}
        assert all(v > 0 for v in rtts.values()), f"{node}: heartbeat round trips {rtts}"
        slow = {p: get("haclusterd_heartbeat_rtt_seconds_sum", node=p) / rtts[p] for p in peers}
        assert all(v < 0.5 for v in slow.values()), f"{node}: mean round trips {slow}"
assert len(terms) == 1 and len(coordinators) == 1 and len(next(iter(coordinators))) == 1, f"terms {terms}, coordinators {coordinators}"
PY
}

cluster_wide() {
  local a=$E2E_ACTIVE s; s=$(standby_of "$a")
  # Issued on the standby node: committed through the coordinator, visible everywhere.
  check "hactl ban $s --lifetime 5s (on $s) exits 0" test "$(hactl_rc "$s" ban "$s" --lifetime 5s)" = 0
  local n
  for n in $HATC_NODES; do
    check "$n shows the ban on $s with an absolute expiry" wait_status 5 "$n" \
      "any(c['kind']=='ban' and c['node']=='$s' and c['expires'].endswith('Z') for c in s['constraints'])"
  done
  for n in $HATC_NODES; do
    check "the ban expired by itself on $n" wait_status 20 "$n" "not any(c['node']=='$s' for c in s['constraints'])"
  done
  # move --lifetime 5s: the service leaves, the old node's ban expires, nothing stale remains.
  check "hactl move $s --lifetime 5s (on n3) exits 0" test "$(hactl_rc n3 move "$s" --lifetime 5s)" = 0
  local now; now=$(e2e_wait_active 40 "$a") || return 1
  check "the service moved to $s" test "$now" = "$s"
  check "the move's ban on $a expired by itself" wait_status 20 n1 "s['constraints']==[]"
  E2E_ACTIVE=$now
  E2E_DETAIL="moved $a -> $now"
}

no_quorum() {
  local a=$E2E_ACTIVE s; s=$(standby_of "$a")
  cluster_cut "$s"
  check "$s loses quorum when cut off" wait_status 15 "$s" 's["quorum"]["quorate"] is False'
  local out rc
  out=$(hactl_on "$s" ban "$a" 2>&1); rc=$?
  check "a change on $s without quorum exits 4 (got $rc: $out)" test "$rc" = 4
  check "the message says no quorum" e2e_contains "$out" "no quorum"
  check "status still answers on $s (exit 0)" test "$(hactl_rc "$s" status)" = 0
  out=$(hactl_on "$s" status --check); rc=$?
  check "status --check on $s without quorum is CRITICAL, exit 2 (got $rc: $out)" test "$rc" = 2
  check "... naming the lost quorum" e2e_contains "$out" "NO QUORUM on $s"
  cluster_heal
  check "$s regains quorum" wait_status 20 "$s" 's["quorum"]["quorate"] is True'
  check "the refused change left no constraint" test "$(e2e_status n3 's["constraints"]')" = "[]"
}

unprivileged() {
  local user=hae2e$RANDOM uid gid
  useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$user" || { check "useradd $user" false; return 1; }
  uid=$(id -u "$user"); gid=$(id -g "$user")
  local as=(setpriv --reuid="$uid" --regid="$gid" --init-groups --)
  local out rc
  out=$(cluster_exec n1 "${as[@]}" hactl enable 2>&1); rc=$?
  check "$user cannot change the cluster: exit 4 (got $rc: $out)" test "$rc" = 4
  out=$(cluster_exec n1 "${as[@]}" hactl --json status 2>&1); rc=$?
  check "$user cannot read status either: exit 4 (got $rc)" test "$rc" = 4
  check "the message names haclient" e2e_contains "$out" haclient
  userdel "$user"
}

fence() {
  local a=$E2E_ACTIVE s; s=$(standby_of "$a")
  local out rc
  out=$(hactl_on n3 --json fence "$s" --yes); rc=$?
  e2e_log "fence: $out"
  check "hactl fence $s --yes exits 0" test "$rc" = 0
  check "the JSON says it succeeded" e2e_contains "$out" '"succeeded":true'
  check "the daemon on n3 shows $s fenced or offline" wait_status 20 n3 \
    "[x['state'] for x in s['nodes'] if x['name']=='$s'][0] in ('fenced','offline','unclean')"
  check "fence of an unknown node is bad usage (2)" test "$(hactl_rc n3 fence nosuchnode --yes)" = 2
  E2E_NOT=$s
}

# A cold start of two nodes of three (no e2e_scenario: the service must NOT start by itself).
quorum_unblock() {
  local name=hactl-quorum-unblock t0; t0=$(date +%s%N)
  e2e_reset
  echo "== $name" >&2
  (
    trap cluster_down EXIT
    trap 'exit 143' TERM INT
    quorum_unblock_steps
    e2e_report "$name" - "($(( ($(date +%s%N) - t0) / 1000000000 ))s)"
    exit $E2E_FAILED
  ) || E2E_FAILED=1
}
quorum_unblock_steps() {
  HATC_BIN=$(e2e_bin); export HATC_BIN
  require "cluster up (three full nodes)" cluster_up --variant three --timings "${E2E_TIMINGS:-default}" || return 1
  hatc_write_env
  require "wait_for_all = true in the configuration" grep -qx "wait_for_all = true" "$HATC_DIR/etc/haclusterd.toml" || return 1
  e2e_start_sampler || return 1
  cluster_poweroff n3
  require "haclusterd starts on n1" cluster_start_daemon n1 || return 1
  hatc_wait 10 "control socket of n1" hactl_on n1 status >/dev/null 2>&1
  sleep 2
  local out rc
  out=$(hactl_on n1 quorum unblock --yes 2>&1); rc=$?
  check "n1 alone: quorum unblock refused, exit 1 (got $rc: $out)" test "$rc" = 1
  check "the refusal says 1 of 3 votes and a strict majority" e2e_contains "$out" "this partition has 1 of 3 votes (n1) and unblocking needs a strict majority (2)"

  require "haclusterd starts on n2" cluster_start_daemon n2 || return 1
  hatc_wait 10 "control socket of n2" hactl_on n2 status >/dev/null 2>&1
  sleep 4   # several election timeouts: without the unblock nothing happens
  check "n1 and n2 wait for n3: no coordinator" test "$(e2e_status n1 's["coordinator"]')" = None
  check "no demo.service runs (running: $(e2e_demo_nodes))" test -z "$(e2e_demo_nodes)"
  check "the service is not started" e2e_not test "$(e2e_status n1 's["service"]["state"]')" = started
  out=$(hactl_on n1 quorum unblock </dev/null 2>&1); rc=$?
  check "without a terminal and without --yes: exit 2 asking for --yes (got $rc)" \
    bash -c '[[ $0 == 2 && $1 == *"add --yes"* ]]' "$rc" "$out"

  out=$(hactl_on n1 --json quorum unblock --yes 2>&1); rc=$?
  e2e_log "quorum unblock: $out"
  check "hactl quorum unblock --yes on n1 exits 0 (got $rc)" test "$rc" = 0
  local n; n=$(e2e_wait_active 20)
  check "the service starts on n1 or n2 (active: ${n:-none})" test -n "$n"
  local ev; ev=$(hactl_on n1 --json events 2>/dev/null)
  check "the event quorum.unblocked carries uid 0" python3 -c '
import json, sys
hits = [e for e in json.loads(sys.argv[1])["events"] if e["kind"] == "quorum.unblocked"]
sys.exit(0 if hits and hits[-1].get("uid") == 0 and "n3" in hits[-1]["message"] else 1)' "$ev"
  out=$(hactl_on n2 quorum unblock --yes 2>&1); rc=$?
  check "a second unblock has nothing to do: exit 1 (got $rc: $out)" bash -c '[[ $0 == 1 && $1 == *"nothing to unblock"* ]]' "$rc" "$out"
  e2e_final_checks 20
}

all=(commands cluster_wide no_quorum unprivileged fence quorum-unblock)
(($#)) || set -- "${all[@]}"
# The commands scenario also serves metrics on every node (HATC_METRICS).
for s in "$@"; do
  case $s in
    quorum-unblock) quorum_unblock ;;
    *) HATC_METRICS=$([[ $s == commands ]] && echo 1 || echo 0) e2e_scenario "hactl-$s" "$s" --variant witness --timings "${E2E_TIMINGS:-default}" ;;
  esac
done
exit $E2E_FAILED
