# Shared helpers of the end-to-end tests (sourced). Each test script runs one or
# more scenarios on a fresh test cluster and prints one line per scenario:
#   PASS|FAIL <scenario> outage=<ms> <details>
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC1091
source "$E2E_ROOT/scripts/cluster/cluster.sh"
E2E_FAILED=0
E2E_ERRORS=()

e2e_log() { printf '  [%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }

# check DESCRIPTION CMD... : records a failure (does not stop the scenario).
check() {
  local what=$1; shift
  if "$@"; then e2e_log "ok: $what"; return 0; fi
  e2e_log "FAILED: $what"; E2E_ERRORS+=("$what"); return 1
}
# require DESCRIPTION CMD... : like check, but a failure ends the scenario.
require() { check "$@" || return 1; }

e2e_not() { ! "$@"; }
e2e_contains() { [[ $1 == *"$2"* ]]; }
e2e_reset() { E2E_ERRORS=(); }
# e2e_report SCENARIO OUTAGE_MS [details]
e2e_report() {
  local name=$1 outage=$2; shift 2
  if ((${#E2E_ERRORS[@]})); then
    printf 'FAIL %-28s outage=%s %s -- %s\n' "$name" "$outage" "$*" "$(IFS=';'; echo "${E2E_ERRORS[*]}")"
    E2E_FAILED=1
    [[ -n ${HATC_DIR:-} && -d ${HATC_DIR:-/nonexistent} ]] && e2e_dump
  else
    printf 'PASS %-28s outage=%s %s\n' "$name" "$outage" "$*"
  fi
}

# On failure: the evidence, before down removes it.
e2e_dump() {
  local n
  {
    echo "---- evidence from $HATC_DIR"
    cluster_status 2>&1
    for n in $HATC_NODES; do
      echo "---- $n haclusterd.log (tail)"; tail -n 40 "$HATC_DIR/nodes/$n/haclusterd.log" 2>/dev/null
    done
    echo "---- fence.log"; tail -n 20 "$HATC_DIR/fence.log" 2>/dev/null
    if [[ ${HATC_FAULTFS:-0} == 1 ]]; then
      for n in $HATC_NODES; do
        echo "---- $n storage $(cat "$HATC_DIR/nodes/$n/storage.mode" 2>/dev/null), faultfs.log (tail)"; tail -n 10 "$HATC_DIR/nodes/$n/faultfs.log" 2>/dev/null
      done
    fi
    echo "---- journal"; python3 "$HATC_DIR/lib/check-journal" --summary "$HATC_DIR/shared/demo-journal.log" 2>&1 | tail -n 20
    echo "---- vip sampler"; tail -n 20 "$HATC_DIR/vip-sampler.log" 2>/dev/null
    echo "---- client neighbour table (VIP = $HATC_VIP)"
    for n in $HATC_NODES; do echo "$n eth0 $(e2e_node_mac "$n")"; done
    grep -F " $HATC_VIP " "$HATC_DIR/client-neigh.log" 2>/dev/null | tail -n 20
  } | sed 's/^/    | /' >&2
  if [[ -n ${E2E_ARTIFACTS:-} ]]; then mkdir -p "$E2E_ARTIFACTS"; cp -r "$HATC_DIR" "$E2E_ARTIFACTS/" 2>/dev/null; fi
}

e2e_start_sampler() {
  rm -f "$HATC_DIR/vip-sampler.ready" "$HATC_DIR/vip-sampler.result"
  cluster_helper vip-sampler python3 "$HATC_DIR/lib/vip-sampler" "$HATC_DIR" "$HATC_VIP${HATC_VIP2:+,${HATC_VIP2%/*}}"
  hatc_wait 5 "vip sampler" test -f "$HATC_DIR/vip-sampler.ready"
}
# Stops the sampler; succeeds when no two nodes ever held the VIP at once.
e2e_sampler_clean() {
  local p; p=$(cat "$HATC_DIR/pids/vip-sampler.pid" 2>/dev/null) || return 1
  kill "$p" 2>/dev/null
  hatc_wait 5 "vip sampler result" test -s "$HATC_DIR/vip-sampler.result" || return 1
  rm -f "$HATC_DIR/pids/vip-sampler.pid"
  local r; r=$(cat "$HATC_DIR/vip-sampler.result"); e2e_log "vip sampler: $r"
  [[ $r == *" doubles=0 "* ]]
}
e2e_journal_clean() { python3 "$HATC_DIR/lib/check-journal" "$HATC_DIR/shared/demo-journal.log" >&2; }

# The client's neighbour (ARP) table, every change, in client-neigh.log: where the
# client sends the VIP's traffic, as the gratuitous ARPs of the nodes set it.
e2e_start_client_neigh() {
  cluster_helper client-neigh bash -c 'exec ip -ts -n "$0" monitor neigh >"$1" 2>&1' "$HATC_TAG-cl" "$HATC_DIR/client-neigh.log"
}
e2e_node_mac() { ip -n "$HATC_TAG-$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
# Succeeds when the client's entry for the VIP, once it pointed at NODE, never pointed
# anywhere else: a node that gave the VIP up announced it no more (such a late gratuitous
# ARP takes the client's traffic back to the old node, where it is lost).
e2e_client_arp_stays() { # node
  python3 - "$HATC_DIR/client-neigh.log" "$HATC_VIP" "$(e2e_node_mac "$1")" "$1" <<'PY' >&2
import sys
log, vip, mac, node = sys.argv[1:]
seen = False
for line in open(log):
    f = line.split()
    if vip not in f or "lladdr" not in f:
        continue
    lladdr = f[f.index("lladdr") + 1]
    if lladdr == mac:
        seen = True
    elif seen:
        print(f"client neighbour entry left {node} ({mac}): {line.strip()}")
        sys.exit(1)
if not seen:
    print(f"client neighbour entry never pointed at {node} ({mac})")
sys.exit(0 if seen else 1)
PY
}
# How many gratuitous ARPs a node sends (one a second) after adding the VIP.
e2e_arp_count() { sed -n 's/^arp_count = //p' "$HATC_DIR/etc/haclusterd.toml" | head -1; }

# The client probe: started in the client namespace, stopped by e2e_probe_stop
# which prints its JSON summary.
e2e_probe_start() { # [timeout] [more probe options, e.g. --timeout 0.05 --timeline FILE]
  local wait=${1:-15}; shift $(($# > 0 ? 1 : 0))
  rm -f "$HATC_DIR/probe.ready" "$HATC_DIR/probe.out"
  cluster_helper probe bash -c 'd=$1 t=$2; shift 2; exec python3 "$d/lib/probe" --netns "/run/netns/$t-cl" --ready "$d/probe.ready" "$@" >"$d/probe.out"' \
    _ "$HATC_DIR" "$HATC_TAG" "$@"
  hatc_wait "$wait" "first answer of the VIP" test -f "$HATC_DIR/probe.ready"
}
e2e_probe_stop() {
  local p; p=$(cat "$HATC_DIR/pids/probe.pid" 2>/dev/null) || return 1
  kill "$p" 2>/dev/null
  hatc_wait 5 "probe summary" test -s "$HATC_DIR/probe.out"
  rm -f "$HATC_DIR/pids/probe.pid"
  cat "$HATC_DIR/probe.out"
}
e2e_json() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# Who answers on the VIP (node name), or nothing.
e2e_vip_node() { cluster_curl_vip 0.5 2>/dev/null; }

# ---- scenarios on a cluster running haclusterd ----------------------------

# The built binaries (debug build unless HATC_BIN says otherwise).
e2e_bin() {
  if [[ -n ${HATC_BIN:-} ]]; then echo "$HATC_BIN"; return; fi
  (cd "$E2E_ROOT" && swift build --show-bin-path 2>/dev/null)
}

hactl_on() { local n=$1; shift; cluster_exec "$n" hactl "$@"; }
# A field of `hactl --json status` on NODE, by a python expression on `s`.
e2e_status() { # node expr
  local j; j=$(hactl_on "$1" --json status 2>/dev/null) || return 1
  python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$j" "$2" 2>/dev/null
}
# Polls a python expression over `hactl --json status` on NODE until it prints "True".
wait_status() { # timeout node expr
  local deadline=$(( $(date +%s) + $1 ))
  while (( $(date +%s) <= deadline )); do
    [[ $(e2e_status "$2" "$3") == True ]] && return 0
    sleep 0.2
  done
  e2e_log "status on $2 never satisfied: $3 (last: $(hactl_on "$2" --json status 2>&1 | head -c 600))"
  return 1
}

# The node that serves the VIP, once exactly one full node runs demo.service and
# answers on the VIP (optionally: not NODE). Prints it; fails after TIMEOUT s.
e2e_wait_active() { # timeout [not-node]
  local t=$1 not=${2:-} deadline=$(( $(date +%s) + $1 )) n
  while (( $(date +%s) <= deadline )); do
    n=$(e2e_vip_node)
    if [[ -n $n && $n != "$not" && " $HATC_FULL_NODES " == *" $n "* ]]; then echo "$n"; return 0; fi
    sleep 0.1
  done
  e2e_log "no eligible node${not:+ other than $not} answered on the VIP within ${t}s (last answer: ${n:-none})"
  return 1
}

# Nodes whose demo.service is active (space separated).
e2e_demo_nodes() {
  local n out=()
  for n in $HATC_NODES; do
    [[ $(cat "$HATC_DIR/nodes/$n/power") == on ]] || continue
    [[ $(cluster_exec "$n" systemctl --user is-active demo.service 2>/dev/null) == active ]] && out+=("$n")
  done
  echo "${out[*]}"
}

# Bring a cluster up with haclusterd on every node and the service running.
e2e_cluster_start() { # cluster_up options...
  HATC_BIN=$(e2e_bin); export HATC_BIN
  [[ -x $HATC_BIN/haclusterd && -x $HATC_BIN/hactl ]] || { e2e_log "no haclusterd/hactl in $HATC_BIN (build first)"; return 1; }
  cluster_up "$@" || return 1
  hatc_write_env
  e2e_start_sampler || return 1
  e2e_start_client_neigh
  cluster_start_daemons || return 1
  E2E_ACTIVE=$(e2e_wait_active "${E2E_START_TIMEOUT:-40}") || return 1
  e2e_log "service active on $E2E_ACTIVE"
}

# The checks every scenario ends with: the service runs on exactly one eligible
# node (not NOT if given), the VIP answers from it and only it holds the VIP,
# the journal has no overlap and the sampler saw no double VIP.
e2e_final_checks() { # timeout [not-node]
  local n
  n=$(e2e_wait_active "$1" "${2:-}")
  check "the service ends on an eligible node${2:+ other than $2}" test -n "$n" || return 1
  E2E_ACTIVE=$n
  sleep 0.5
  check "only $n runs demo.service (running: $(e2e_demo_nodes))" test "$(e2e_demo_nodes)" = "$n"
  check "only $n holds the VIP (holders: $(cluster_vip_holders))" test "$(cluster_vip_holders)" = "$n"
  check "the VIP answers from $n" test "$(e2e_vip_node)" = "$n"
  check "no two overlapping active intervals in the journal" e2e_journal_clean
  check "no two nodes held the VIP at once" e2e_sampler_clean
}

# e2e_scenario NAME FUNCTION [cluster_up options]: a fresh cluster, the client
# probe, the scenario, the common checks, one PASS/FAIL line, teardown.
# FUNCTION runs with E2E_ACTIVE set; it sets E2E_NOT (the node the service must
# have left, if any) and E2E_DETAIL; it may return non-zero to abort.
e2e_scenario() {
  local name=$1 fn=$2; shift 2
  e2e_reset; E2E_NOT="" E2E_DETAIL="" E2E_OUTAGE=-
  local t0; t0=$(date +%s%N)
  echo "== $name" >&2
  (
    trap cluster_down EXIT
    trap 'exit 143' TERM INT
    if e2e_cluster_start "$@"; then
      e2e_probe_start 15 || check "the client probe got a first answer" false
      if ! "$fn" && ((${#E2E_ERRORS[@]} == 0)); then check "scenario $name ran to the end" false; fi
      e2e_final_checks "${E2E_RECOVERY_TIMEOUT:-40}" "$E2E_NOT"
      local pj; pj=$(e2e_probe_stop)
      [[ -n $pj ]] && E2E_OUTAGE=$(e2e_json "$pj" max_gap_ms)ms && e2e_log "probe: $pj"
    else
      check "cluster started with the service active" false
    fi
    e2e_report "$name" "$E2E_OUTAGE" "$E2E_DETAIL ($(( ($(date +%s%N) - t0) / 1000000000 ))s)"
    exit $E2E_FAILED
  ) || E2E_FAILED=1
}

# The last interval of NODE in the journal ended with the service's own "stop"
# record (a SIGTERM from its manager), not one written for it after a kill.
e2e_clean_stop() {
  python3 - "$HATC_DIR/shared/demo-journal.log" "$1" <<'PY'
import sys
recs = [l.split() for l in open(sys.argv[1]) if l.split()[:2] == ["stop", sys.argv[2]]]
sys.exit(0 if recs and len(recs[-1]) == 4 else 1)
PY
}

e2e_demo_pid() { cluster_exec "$1" systemctl --user show -p MainPID --value demo.service; }
e2e_daemon_pid() { cat "$HATC_DIR/nodes/$1/haclusterd.pid"; }
